package dev.gatehouse.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser of the Prometheus text exposition format (0.0.4) as the tests need it: samples with their
 * labels (quoted values with \\, \" and \n escapes), comments and TYPE/HELP lines skipped (HELP texts by
 * {@link #help}), values including NaN and +Inf/-Inf, optional timestamps ignored. Strict: a malformed line
 * fails the test.
 */
final class PrometheusText {
    record Sample(String name, Map<String, String> labels, double value) {
        boolean has(Map<String, String> wanted) {
            return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
        }
    }

    private PrometheusText() {
    }

    static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            samples.add(parseLine(line));
        }
        return samples;
    }

    /** Each family's {@code # HELP} text (empty when the line has none) by family name, for every {@code # TYPE}. */
    static Map<String, String> help(String text) {
        Map<String, String> help = new LinkedHashMap<>();
        Map<String, String> given = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] parts = line.split(" ", 4);
            if (line.startsWith("# HELP ") && parts.length >= 3) {
                given.put(parts[2], parts.length == 4 ? parts[3].trim() : "");
            } else if (line.startsWith("# TYPE ") && parts.length >= 3) {
                help.put(parts[2], "");
            }
        }
        help.replaceAll((family, none) -> given.getOrDefault(family, ""));
        return help;
    }

    /** The sum of every sample named {@code name} whose labels include {@code labels}. */
    static double sum(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.has(labels)).mapToDouble(Sample::value).sum();
    }

    static boolean present(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().anyMatch(s -> s.name().equals(name) && s.has(labels));
    }

    private static Sample parseLine(String line) {
        int i = 0;
        while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_' || line.charAt(i) == ':')) {
            i++;
        }
        String name = line.substring(0, i);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("no metric name: " + line);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String key = line.substring(i, eq).trim();
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("unquoted label value: " + line);
                }
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char n = line.charAt(++j);
                        value.append(n == 'n' ? '\n' : n);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(key, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String[] rest = line.substring(i).trim().split("\\s+");
        return new Sample(name, labels, value(rest[0]));
    }

    private static double value(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }
}
