package dev.gatehouse.translate.validate;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Gateway API Duration (GEP-2257: "1h", "10s", "500ms", "1m30s") to {@link Duration}. */
public final class DurationFormat {
    private static final Pattern PART = Pattern.compile("([0-9]{1,5})(ms|h|m|s)");

    private DurationFormat() {
    }

    /** @return the duration, or {@code null} when {@code text} is null or not in the format */
    public static Duration parse(String text) {
        if (text == null || !ApiFormats.DURATION.matcher(text).matches()) {
            return null;
        }
        Duration d = Duration.ZERO;
        Matcher m = PART.matcher(text);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            });
        }
        return d;
    }
}
