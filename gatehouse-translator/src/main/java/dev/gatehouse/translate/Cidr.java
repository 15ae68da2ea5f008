package dev.gatehouse.translate;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Checks an IPv4 or IPv6 CIDR ("198.18.0.0/15", "2001:db8::/32") without ever resolving a name: only digits,
 * hex digits, dots and colons reach {@link InetAddress#getByName}, which parses such a string as a literal.
 */
final class Cidr {
    private Cidr() {
    }

    /** @return why {@code cidr} is not an address/prefix pair, or {@code null} when it is one */
    static String problem(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return "\"" + cidr + "\" is not a CIDR: expected address/prefix such as 10.0.0.0/8 or 2001:db8::/32";
        }
        byte[] address = address(cidr.substring(0, slash));
        if (address == null) {
            return "\"" + cidr + "\": \"" + cidr.substring(0, slash) + "\" is not an IPv4 or IPv6 address";
        }
        int max = address.length * 8;
        String prefix = cidr.substring(slash + 1);
        int bits = prefix.matches("[0-9]{1,3}") ? Integer.parseInt(prefix) : -1;
        if (bits < 0 || bits > max) {
            return "\"" + cidr + "\": the prefix length must be a number from 0 to " + max;
        }
        return null;
    }

    /** The address as {@link InetAddress} writes it, then the prefix: one spelling per range. */
    static String canonical(String cidr) {
        int slash = cidr.indexOf('/');
        try {
            return InetAddress.getByAddress(address(cidr.substring(0, slash))).getHostAddress()
                    + cidr.substring(slash);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(cidr, e);
        }
    }

    private static byte[] address(String text) {
        if (text.isEmpty() || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return null;
        }
        if (text.indexOf(':') < 0 && !text.matches("([0-9]{1,3}\\.){3}[0-9]{1,3}")) {
            return null; // the JDK also reads "10.1" and "0x0a.1.2.3" forms that nobody means in a CIDR
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
