package dev.gatehouse.routing.proxyprotocol;

import dev.gatehouse.ir.ProxyProtocolSpec;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * A port's PROXY protocol setting, compiled once per snapshot: the trusted CIDRs become Netty's
 * {@link IpSubnetFilterRule}s (network and mask precomputed), so an accept costs a few integer compares and
 * never parses text.
 */
public final class ProxyProtocolPolicy {
    private final IpSubnetFilterRule[] trusted;
    private final boolean optional;

    private ProxyProtocolPolicy(IpSubnetFilterRule[] trusted, boolean optional) {
        this.trusted = trusted;
        this.optional = optional;
    }

    /** @param spec CIDRs the translator validated ("198.18.0.0/15", "::/0") */
    public static ProxyProtocolPolicy compile(ProxyProtocolSpec spec) {
        List<String> cidrs = spec.trustedCidrs();
        IpSubnetFilterRule[] rules = new IpSubnetFilterRule[cidrs.size()];
        for (int i = 0; i < rules.length; i++) {
            String cidr = cidrs.get(i);
            int slash = cidr.indexOf('/');
            rules[i] = new IpSubnetFilterRule(cidr.substring(0, slash), Integer.parseInt(cidr.substring(slash + 1)),
                    IpFilterRuleType.ACCEPT);
        }
        return new ProxyProtocolPolicy(rules, spec.optional());
    }

    /** @return whether a connection from {@code source} must (or, when optional, may) start with a PROXY header */
    public boolean trusts(InetSocketAddress source) {
        for (IpSubnetFilterRule rule : trusted) {
            if (rule.matches(source)) {
                return true;
            }
        }
        return false;
    }

    /** @return whether a trusted connection without a header is served as plain traffic (else closed) */
    public boolean optional() {
        return optional;
    }
}
