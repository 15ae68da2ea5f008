package dev.gatehouse.edge.gate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AllowedHostsTest {
    private final AllowedHosts hosts = AllowedHosts.parse("a.example.com, *.example.net");

    @Test
    void exactNamesAnyCaseAndATrailingDot() {
        assertThat(hosts.allows("a.example.com")).isTrue();
        assertThat(hosts.allows("A.Example.COM.")).isTrue();
        assertThat(hosts.allows("b.example.com")).isFalse();
        assertThat(hosts.allows("example.com")).isFalse();
        assertThat(hosts.allows("xa.example.com")).isFalse();
    }

    @Test
    void aWildcardCoversEveryNameBelowItButNotItself() {
        assertThat(hosts.allows("x.example.net")).isTrue();
        assertThat(hosts.allows("x.y.example.net")).isTrue();
        assertThat(hosts.allows("example.net")).isFalse();
        assertThat(hosts.allows("xexample.net")).isFalse();
        assertThat(hosts.allows("")).isFalse();
        assertThat(hosts.allows(null)).isFalse();
    }

    @Test
    void whatIsNotAHostNameIsRefusedNamingTheFlagAndTheEntry() {
        assertThatThrownBy(() -> AllowedHosts.parse("a.example.com,")).hasMessage(
                "--allow-hosts: '' is not a host name or a leading wildcard such as *.example.com");
        assertThatThrownBy(() -> AllowedHosts.parse("a.*.example.com")).hasMessageContaining("'a.*.example.com'");
        assertThatThrownBy(() -> AllowedHosts.parse("*")).hasMessageContaining("'*'");
        assertThatThrownBy(() -> AllowedHosts.parse("a..b")).hasMessageContaining("'a..b'");
    }
}
