package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.Secret;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/** A Secret's values as text: {@code data} is base64 (as the API stores it), {@code stringData} plain text, as kubectl would merge them. */
final class SecretValues {
    private SecretValues() {
    }

    /** @return the value under {@code key}, or null when absent or not base64 */
    static String value(Secret secret, String key) {
        Map<String, String> data = secret.getData();
        if (data != null && data.get(key) != null) {
            try {
                return new String(Base64.getMimeDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        Map<String, String> stringData = secret.getStringData();
        return stringData == null ? null : stringData.get(key);
    }

    /** Every key with its value, sorted by key (a value that is not base64 is null). */
    static Map<String, String> all(Secret secret) {
        Map<String, String> out = new TreeMap<>();
        if (secret.getStringData() != null) {
            secret.getStringData().keySet().forEach(k -> out.put(k, value(secret, k)));
        }
        if (secret.getData() != null) {
            secret.getData().keySet().forEach(k -> out.put(k, value(secret, k)));
        }
        return out;
    }
}
