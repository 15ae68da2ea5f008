package dev.gatehouse.routing.session;

import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.SessionPersistenceSpec;
import dev.gatehouse.routing.balance.BalancedCluster;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.PickContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.FastThreadLocal;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A rule's {@code sessionPersistence}: the first answer carries a token (in a cookie or a header) naming the
 * endpoint that served it; later requests carrying a valid token go to that endpoint while it is routable and still
 * one of the rule's backends, else they are balanced as usual and the answer carries a new token.
 *
 * <p>The token is {@code base64url(version, endpoint id, start, last use, MAC)}. The endpoint id is the first 8
 * bytes of HMAC-SHA256(key, cluster + endpoint): opaque (no address in it) and a lookup key into a table built at
 * compile time. Start and last use (epoch seconds) are inside the MAC, so a client cannot stretch
 * {@code absoluteTimeout} or {@code idleTimeout}; with an idle timeout every answer refreshes the token.
 *
 * <p>The key: several replicas behind one load balancer must accept each other's tokens, so it cannot be a
 * per-process random. It is SHA-256 over the environment variable {@code GATEHOUSE_SESSION_KEY} (a secret the
 * operator gives every replica alike) and the rule's identity (so tokens of one rule mean nothing to another).
 * Without that variable the key derives from the config alone: every replica agrees and tokens stay opaque to a
 * client, but someone who knows the config could mint tokens (naming an endpoint the rule already lets them reach,
 * or stretching a session): set the variable where that matters.
 */
public final class SessionAffinity {
    private static final byte VERSION = 1;
    private static final int MAC_BYTES = 12;
    private static final int TOKEN_BYTES = 1 + 8 + 4 + 4 + MAC_BYTES;
    private static final String ENV_KEY = "GATEHOUSE_SESSION_KEY";
    private static final FastThreadLocal<Mac> MACS = new FastThreadLocal<>() {
        @Override
        protected Mac initialValue() throws GeneralSecurityException {
            return Mac.getInstance("HmacSHA256");
        }
    };

    private record Target(int backend, Cluster cluster, InetSocketAddress endpoint) { }

    private final SessionPersistenceSpec.Type type;
    private final String name;
    private final String cookieAttributes;
    private final long absoluteSeconds;
    private final long idleSeconds;
    private final SecretKeySpec key;
    private final Map<Long, Target> targets = new HashMap<>();
    private final Map<Cluster, Map<InetSocketAddress, Long>> ids = new IdentityHashMap<>();
    private final LongSupplier epochSeconds;

    private SessionAffinity(SessionPersistenceSpec spec, String name, byte[] key, LongSupplier epochSeconds) {
        this.type = spec.type() == null ? SessionPersistenceSpec.Type.COOKIE : spec.type();
        this.name = name;
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.absoluteSeconds = seconds(spec.absoluteTimeout());
        this.idleSeconds = seconds(spec.idleTimeout());
        this.epochSeconds = epochSeconds;
        // a session cookie unless lifetimeType Permanent; Path=/ as the rule may match several paths
        this.cookieAttributes = "; Path=/; HttpOnly"
                + (spec.permanentCookie() && absoluteSeconds > 0 ? "; Max-Age=" + absoluteSeconds : "");
    }

    /**
     * @param clusters the rule's backendRefs' clusters in declared order ({@code null} for an invalid one or one
     *                 with weight 0: never a session's target)
     */
    public static SessionAffinity compile(RouteRef route, SessionPersistenceSpec spec, List<Cluster> clusters) {
        return compile(route, spec, clusters, () -> System.currentTimeMillis() / 1000);
    }

    static SessionAffinity compile(RouteRef route, SessionPersistenceSpec spec, List<Cluster> clusters,
                                   LongSupplier epochSeconds) {
        String rule = route == null ? "?" : route.ruleLabel();
        String name = spec.sessionName() != null && !spec.sessionName().isEmpty() ? spec.sessionName()
                : defaultName(spec.type(), rule);
        String secret = System.getenv(ENV_KEY);
        byte[] key = sha256("gatehouse session v1\0" + (secret == null ? "" : secret) + "\0" + rule + "\0" + name);
        SessionAffinity s = new SessionAffinity(spec, name, key, epochSeconds);
        for (int b = 0; b < clusters.size(); b++) {
            Cluster c = clusters.get(b);
            if (c == null || s.ids.containsKey(c)) {
                continue;
            }
            Map<InetSocketAddress, Long> byAddress = new HashMap<>();
            for (InetSocketAddress e : c.endpoints()) {
                long id = s.endpointId(c.name(), e);
                byAddress.put(e, id);
                s.targets.put(id, new Target(b, c, e));
            }
            s.ids.put(c, byAddress);
        }
        return s;
    }

    private static String defaultName(SessionPersistenceSpec.Type type, String rule) {
        String suffix = Integer.toHexString(rule.hashCode());
        return type == SessionPersistenceSpec.Type.HEADER ? "x-gatehouse-session-" + suffix
                : "gatehouse-session-" + suffix;
    }

    private static long seconds(Duration d) {
        return d == null || d.isNegative() ? 0 : Math.max(1, d.toSeconds());
    }

    /** The cookie or header name. */
    public String name() {
        return name;
    }

    /** "Cookie gatehouse-session-1a2b (absolute 3600 s, idle 600 s)": for explain. */
    @Override
    public String toString() {
        return (type == SessionPersistenceSpec.Type.COOKIE ? "Cookie " : "Header ") + name
                + (absoluteSeconds > 0 ? " absolute " + absoluteSeconds + " s" : "")
                + (idleSeconds > 0 ? " idle " + idleSeconds + " s" : "");
    }

    /**
     * Reads the request's token. When it is authentic, unexpired, and names an endpoint that is still listed and
     * routable, tells {@code ctx} to prefer that endpoint and returns its backendRef's index.
     *
     * @return the index of the backendRef to use, or -1 (no valid session: balance as usual)
     */
    public int resolve(PickContext ctx) {
        String token = type == SessionPersistenceSpec.Type.COOKIE ? ctx.cookie(name) : ctx.header(name);
        if (token == null || token.length() > 64) {
            return -1;
        }
        ByteBuffer b = decode(token);
        if (b == null) {
            return -1;
        }
        long id = b.getLong(1);
        long start = Integer.toUnsignedLong(b.getInt(9));
        long last = Integer.toUnsignedLong(b.getInt(13));
        long now = epochSeconds.getAsLong();
        if (absoluteSeconds > 0 && now - start > absoluteSeconds || idleSeconds > 0 && now - last > idleSeconds) {
            return -1;
        }
        Target t = targets.get(id);
        if (t == null || !(t.cluster() instanceof BalancedCluster bc && bc.routable(t.endpoint()))) {
            return -1;
        }
        ctx.preferred(t.endpoint(), start);
        return t.backend();
    }

    /**
     * The response header that (re)starts or refreshes the session for {@code endpoint}, or {@code null} when the
     * request's own token stays valid as it is.
     *
     * @param sessionStart the start of the session the request carried for this endpoint, or -1 for a new one
     * @return {@code {header name, value}}
     */
    public String[] responseHeader(Cluster cluster, InetSocketAddress endpoint, long sessionStart) {
        if (sessionStart >= 0 && idleSeconds == 0) {
            return null; // the token names this endpoint and nothing in it changes
        }
        Map<InetSocketAddress, Long> byAddress = ids.get(cluster);
        Long id = byAddress == null ? null : byAddress.get(endpoint);
        if (id == null) {
            return null; // not a cluster of this rule (a mirror): nothing to name
        }
        long now = epochSeconds.getAsLong();
        String token = token(id, sessionStart >= 0 ? sessionStart : now, now);
        return type == SessionPersistenceSpec.Type.COOKIE
                ? new String[] {HttpHeaderNames.SET_COOKIE.toString(), name + '=' + token + cookieAttributes}
                : new String[] {name, token};
    }

    String token(long id, long start, long last) {
        ByteBuffer b = ByteBuffer.allocate(TOKEN_BYTES);
        b.put(VERSION).putLong(id).putInt((int) start).putInt((int) last);
        b.put(mac(b.array(), TOKEN_BYTES - MAC_BYTES), 0, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    private ByteBuffer decode(String token) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (bytes.length != TOKEN_BYTES || bytes[0] != VERSION) {
            return null;
        }
        byte[] expected = mac(bytes, TOKEN_BYTES - MAC_BYTES);
        byte[] actual = new byte[MAC_BYTES];
        System.arraycopy(bytes, TOKEN_BYTES - MAC_BYTES, actual, 0, MAC_BYTES);
        byte[] truncated = new byte[MAC_BYTES];
        System.arraycopy(expected, 0, truncated, 0, MAC_BYTES);
        return MessageDigest.isEqual(actual, truncated) ? ByteBuffer.wrap(bytes) : null;
    }

    private long endpointId(String cluster, InetSocketAddress endpoint) {
        byte[] in = (cluster + "|" + NetUtil.toSocketAddressString(endpoint)).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.wrap(mac(in, in.length)).getLong();
    }

    private byte[] mac(byte[] data, int length) {
        Mac mac = MACS.get();
        try {
            mac.init(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        mac.update(data, 0, length);
        return mac.doFinal();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Clusters of the rule's backendRefs that may hold sessions, in order, with null for the others. */
    public static List<Cluster> eligible(List<Cluster> clusters, List<Integer> weights) {
        List<Cluster> out = new ArrayList<>(clusters.size());
        for (int i = 0; i < clusters.size(); i++) {
            out.add(weights.get(i) > 0 ? clusters.get(i) : null);
        }
        return out;
    }
}
