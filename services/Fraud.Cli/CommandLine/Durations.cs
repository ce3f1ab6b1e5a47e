using System.Globalization;

namespace Fraud.Cli.CommandLine;

/// <summary>Durations as people write them on a command line: 7d, 12h, 30m, 45s, or d.hh:mm:ss.</summary>
public static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var unit = text[^1];
        var number = text[..^1];
        if (char.IsLetter(unit) && double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            double? seconds = char.ToLowerInvariant(unit) switch
            {
                'd' => amount * 86400,
                'h' => amount * 3600,
                'm' => amount * 60,
                's' => amount,
                _ => null,
            };
            if (seconds is { } s)
            {
                value = TimeSpan.FromSeconds(s);
                return true;
            }

            return false;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }
}
