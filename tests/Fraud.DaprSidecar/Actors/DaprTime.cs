using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Fraud.DaprSidecar.Actors;

/// <summary>
/// The time formats daprd accepts for actor settings and reminders: Go durations
/// (<c>time.ParseDuration</c>: <c>1h0m5s0ms</c>, the form the .NET SDK writes), ISO 8601 durations with
/// an optional repetition (<c>R5/PT10S</c>) and RFC 3339 instants (dapr/kit time/time.go,
/// <c>ParseDuration</c> and <c>ParseTime</c>), and Go's <c>Duration.String</c> for what daprd writes back.
/// </summary>
public static partial class DaprTime
{
    private static readonly (string Unit, long Ticks)[] Units =
    [
        ("ns", 0), ("us", 10), ("µs", 10), ("μs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    /// <summary>Go's <c>time.ParseDuration</c> (nanoseconds are rounded down to .NET ticks).</summary>
    public static bool TryParseGoDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var s = text.AsSpan();
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return false;
        }

        decimal total = 0;
        while (!s.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || s[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 || !decimal.TryParse(s[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            s = s[numberLength..];
            var unitLength = 0;
            while (unitLength < s.Length && !char.IsAsciiDigit(s[unitLength]) && s[unitLength] != '.')
            {
                unitLength++;
            }

            var unit = s[..unitLength].ToString();
            var match = Array.FindIndex(Units, u => u.Unit == unit);
            if (match < 0)
            {
                return false;
            }

            total += unit == "ns" ? number / 100m : number * Units[match].Ticks;
            s = s[unitLength..];
        }

        if (total > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)(negative ? -total : total));
        return true;
    }

    /// <summary>
    /// dapr/kit time.ParseDuration: an ISO 8601 duration with an optional <c>Rn/</c> repetition, or a
    /// Go duration (repetitions -1: unlimited). Years and months are returned apart, as daprd does.
    /// </summary>
    public static bool TryParsePeriod(string text, out int years, out int months, out int days, out TimeSpan duration, out int repetitions)
    {
        years = months = days = 0;
        repetitions = -1;
        if (TryParseGoDuration(text, out duration))
        {
            return true;
        }

        var m = Iso8601().Match(text);
        if (!m.Success || text == "P" || text.EndsWith('T'))
        {
            return false;
        }

        repetitions = m.Groups["r"].Success ? int.Parse(m.Groups["r"].Value, CultureInfo.InvariantCulture) : -1;
        years = Int(m, "y");
        months = Int(m, "mo");
        days = Int(m, "d") + (7 * Int(m, "w"));
        duration = TimeSpan.FromHours(Int(m, "h")) + TimeSpan.FromMinutes(Int(m, "mi"))
            + TimeSpan.FromSeconds(m.Groups["s"].Success ? double.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture) : 0);
        return true;
    }

    /// <summary>
    /// dapr/kit time.ParseTime: an RFC 3339 instant, or a duration (Go or ISO 8601, no repetition)
    /// after <paramref name="now"/>.
    /// </summary>
    public static bool TryParseTime(string text, DateTimeOffset now, out DateTimeOffset time)
    {
        time = default;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) && text.Contains('T', StringComparison.Ordinal) && text.Contains(':', StringComparison.Ordinal))
        {
            time = instant;
            return true;
        }

        if (!TryParsePeriod(text, out var years, out var months, out var days, out var duration, out var repetitions) || repetitions != -1)
        {
            return false;
        }

        time = now.AddYears(years).AddMonths(months).AddDays(days) + duration;
        return true;
    }

    /// <summary>Go's <c>time.Duration.String</c>: <c>1h0m0s</c>, <c>1m30s</c>, <c>2.5s</c>, <c>500ms</c>, <c>0s</c>.</summary>
    public static string GoString(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        if (duration < TimeSpan.Zero)
        {
            builder.Append('-');
            duration = duration.Negate();
        }

        if (duration < TimeSpan.FromSeconds(1))
        {
            // Sub-second: one unit with a fraction (ns, µs or ms).
            var nanoseconds = duration.Ticks * 100m;
            var (unit, size) = nanoseconds < 1_000 ? ("ns", 1m) : nanoseconds < 1_000_000 ? ("µs", 1_000m) : ("ms", 1_000_000m);
            return builder.Append(Fraction(nanoseconds / size)).Append(unit).ToString();
        }

        var hours = (long)duration.TotalHours;
        if (hours > 0)
        {
            builder.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || duration.Minutes > 0)
        {
            builder.Append(duration.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        var seconds = duration.Seconds + ((duration.Ticks % TimeSpan.TicksPerSecond) / (decimal)TimeSpan.TicksPerSecond);
        return builder.Append(Fraction(seconds)).Append('s').ToString();
    }

    private static string Fraction(decimal value) => value.ToString("0.#########", CultureInfo.InvariantCulture);

    private static int Int(Match m, string group) =>
        m.Groups[group].Success ? int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"^(R(?<r>\d+)/)?P((?<y>\d+)Y)?((?<mo>\d+)M)?((?<w>\d+)W)?((?<d>\d+)D)?(T((?<h>\d+)H)?((?<mi>\d+)M)?((?<s>\d+(\.\d+)?)S)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Iso8601();
}
