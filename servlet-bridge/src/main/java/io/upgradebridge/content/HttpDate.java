package io.upgradebridge.content;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * HTTP dates ({@code Last-Modified}, {@code Expires}, {@code If-Modified-Since}...), the part of Ktor's
 * {@code GMTDate.toHttpDate()} / {@code String.fromHttpToGmtDate()} this package needs, on
 * {@code java.time}.
 *
 * <p>Dates are written in the preferred RFC 1123 form ({@code Sun, 06 Nov 1994 08:49:37 GMT}, RFC 9110
 * section 5.6.7) and read in that form, in the two obsolete forms (RFC 850 and C's asctime) and, leniently,
 * in any form {@link DateTimeFormatter#RFC_1123_DATE_TIME} accepts.
 */
public final class HttpDate {

    private static final DateTimeFormatter IMF_FIXDATE = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .appendPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'")
            .toFormatter(Locale.US);

    /** {@code Sunday, 06-Nov-94 08:49:37 GMT}; a two-digit year means the latest year no more than 50 years ahead. */
    private static final DateTimeFormatter RFC_850 = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .appendPattern("EEEE, dd-MMM-")
            .appendValueReduced(ChronoField.YEAR, 2, 2, LocalDate.now(ZoneOffset.UTC).minusYears(49))
            .appendPattern(" HH:mm:ss 'GMT'")
            .toFormatter(Locale.US);

    /** {@code Sun Nov  6 08:49:37 1994}, after runs of spaces were made single. */
    private static final DateTimeFormatter ASCTIME = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .appendPattern("EEE MMM d HH:mm:ss yyyy")
            .toFormatter(Locale.US);

    private static final List<DateTimeFormatter> LOCAL_FORMS = List.of(IMF_FIXDATE, RFC_850, ASCTIME);

    private HttpDate() {
    }

    /** {@code instant} as an HTTP date, to the second (the fraction is dropped), for example {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    public static String format(Instant instant) {
        return IMF_FIXDATE.format(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    /**
     * Reads an HTTP date.
     *
     * @throws IllegalArgumentException when {@code text} is not an HTTP date in any of the three forms
     */
    public static Instant parse(String text) {
        Instant parsed = tryParse(text);
        if (parsed == null) {
            throw new IllegalArgumentException("Invalid HTTP date \"" + HttpSyntax.printable(text)
                    + "\"; write it like \"Sun, 06 Nov 1994 08:49:37 GMT\" (RFC 9110 section 5.6.7)");
        }
        return parsed;
    }

    /** Reads an HTTP date, or returns {@code null} when {@code text} is not one. */
    static Instant tryParse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.trim().replaceAll(" {2,}", " ");
        for (DateTimeFormatter form : LOCAL_FORMS) {
            try {
                return LocalDateTime.parse(trimmed, form).toInstant(ZoneOffset.UTC);
            } catch (DateTimeException notThisForm) {
                // try the next form
            }
        }
        try {
            return ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeException notADate) {
            return null;
        }
    }
}
