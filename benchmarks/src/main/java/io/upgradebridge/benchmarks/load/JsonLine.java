package io.upgradebridge.benchmarks.load;

import java.util.Locale;

/** One flat JSON object on one line: string, integer and decimal fields in the order they are put. */
final class JsonLine {

    private final StringBuilder text = new StringBuilder("{");

    JsonLine put(String name, String value) {
        key(name).append('"').append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        return this;
    }

    JsonLine put(String name, long value) {
        key(name).append(value);
        return this;
    }

    JsonLine put(String name, double value) {
        key(name).append(Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "null");
        return this;
    }

    JsonLine put(String name, boolean value) {
        key(name).append(value);
        return this;
    }

    private StringBuilder key(String name) {
        if (text.length() > 1) {
            text.append(',');
        }
        return text.append('"').append(name).append("\":");
    }

    @Override
    public String toString() {
        return text + "}";
    }
}
