package dev.gatehouse.proxy.observe.accesslog;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

class JsonLineBufferTest {
    @Test
    void numbersMatchLongToString() {
        long[] edge = {0, 9, 10, 99, 100, 101, 999, 1000, 12345, 1_000_000_007L, Long.MAX_VALUE, -1, -10, -99_999,
                Long.MIN_VALUE, 9_999_999_999_999_999L, 10_000_000_000_000_000L, 999_999_999_999_999_999L,
                1_000_000_000_000_000_000L};
        for (long v : edge) {
            assertThat(new JsonLineBuffer(1).number(v).toString()).as("%d", v).isEqualTo(Long.toString(v));
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 10_000; i++) {
            long v = r.nextLong() >> r.nextInt(64);
            assertThat(new JsonLineBuffer(4).number(v).toString()).isEqualTo(Long.toString(v));
        }
    }

    @Test
    void paddedAndEscapedStringsGrowTheBuffer() {
        JsonLineBuffer b = new JsonLineBuffer(2);
        b.padded(7, 3).raw((byte) ' ').string("a\"b\\c\u0001\u00e9\u2026").raw((byte) ' ').string(null);
        assertThat(b.toString()).isEqualTo("007 \"a\\\"b\\\\c\\u0001\\u00e9\\u2026\" null");
    }
}
