using System.Globalization;

namespace Fraud.Cli.CommandLine;

/// <summary>The options given to one command, with typed accessors whose errors name the option.</summary>
public sealed class ParsedArguments(string command, IReadOnlyDictionary<string, List<string>> values, IReadOnlySet<string> flags)
{
    public bool Has(string name) => values.ContainsKey(name) || flags.Contains(name);

    public bool Flag(string name) => flags.Contains(name);

    public string? String(string name) => values.TryGetValue(name, out var list) ? list[^1] : null;

    public string RequiredString(string name) =>
        String(name) ?? throw new UsageException($"fraud {command}: --{name} is required.");

    public IReadOnlyList<string> All(string name) => values.TryGetValue(name, out var list) ? list : [];

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = String(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"fraud {command}: --{name} '{text}' must be a whole number between {min} and {max}.");
        }

        return value;
    }

    public double Double(string name, double fallback, double min, double max)
    {
        var text = String(name);
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"fraud {command}: --{name} '{text}' must be a number between {min} and {max}.");
        }

        return value;
    }

    public DateOnly? Date(string name)
    {
        var text = String(name);
        if (text is null)
        {
            return null;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new UsageException($"fraud {command}: --{name} '{text}' is not a date; use YYYY-MM-DD.");
    }

    public DateOnly RequiredDate(string name) => Date(name) ?? throw new UsageException($"fraud {command}: --{name} is required.");

    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        var text = String(name);
        if (text is null)
        {
            return fallback;
        }

        return Durations.TryParse(text, out var value)
            ? value
            : throw new UsageException($"fraud {command}: --{name} '{text}' is not a duration; use e.g. 7d, 12h, 30m, 45s.");
    }
}
