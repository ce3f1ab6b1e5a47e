using System.Globalization;

namespace Fraud.Contracts;

/// <summary>
/// Timestamps as exports write them: ISO 8601 (with <c>Z</c>, an offset, or none = UTC), the common
/// <c>yyyy-MM-dd HH:mm:ss</c>, or unix seconds (values ≥ 1e11 are unix milliseconds). Always UTC.
/// </summary>
public static class TimestampParser
{
    private const double MillisecondsThreshold = 1e11;

    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset utc)
    {
        text = text.Trim();
        utc = default;
        if (text.IsEmpty)
        {
            return false;
        }

        if (TryFixed(text, out utc))
        {
            return true;
        }

        if (IsUnixNumber(text))
        {
            return TryUnix(text, out utc);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            utc = parsed.ToUniversalTime();
            return true;
        }

        return false;
    }

    /// <summary>Fast path for <c>yyyy-MM-dd HH:mm:ss</c> and <c>yyyy-MM-ddTHH:mm:ss[Z]</c>, the bulk of real files.</summary>
    private static bool TryFixed(ReadOnlySpan<char> s, out DateTimeOffset utc)
    {
        utc = default;
        var length = s.Length;
        if (length is not (19 or 20) || (length == 20 && s[19] != 'Z')
            || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        utc = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = s[i] - '0';
            if ((uint)d > 9)
            {
                return false;
            }

            value = value * 10 + d;
        }

        return true;
    }

    /// <summary>True when the text is a bare number (unix time), which JSON producers must not send as a timestamp string.</summary>
    public static bool IsUnixNumberText(ReadOnlySpan<char> text) => IsUnixNumber(text.Trim());

    private static bool IsUnixNumber(ReadOnlySpan<char> s)
    {
        var dots = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '.')
            {
                dots++;
            }
            else if (!char.IsAsciiDigit(c) && !(i == 0 && c == '-'))
            {
                return false;
            }
        }

        return dots <= 1;
    }

    private static bool TryUnix(ReadOnlySpan<char> s, out DateTimeOffset utc)
    {
        utc = default;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            return false;
        }

        var milliseconds = Math.Abs(value) >= MillisecondsThreshold ? value : value * 1000;
        if (milliseconds < -62135596800000 || milliseconds > 253402300799000)
        {
            return false;
        }

        utc = DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(milliseconds * TimeSpan.TicksPerMillisecond));
        return true;
    }
}
