using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Fraud.Cli.CommandLine;

/// <summary>
/// Typed options whose parse errors name the option and the value in a user's words
/// (<c>--days 'many' must be a whole number between 1 and 3650</c>) rather than the library's
/// <c>Cannot parse argument 'many' … as expected type 'System.Int32'</c>. Ranges are checked
/// while parsing, so every mistake on the line is reported at once, before any file is read.
/// </summary>
internal static class CliOptions
{
    private delegate bool TryParse<T>(string text, out T value);

    public static Option<int> Int(string name, string description, int fallback, int min = int.MinValue, int max = int.MaxValue) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => fallback,
        CustomParser = Parser<int>(
            (string text, out int value) =>
                int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max,
            text => $"{name} '{text}' must be a whole number{Range(min, max, int.MinValue, int.MaxValue)}."),
    };

    /// <summary>A number with no default: absent means the feature is off.</summary>
    public static Option<double?> Number(string name, string helpName, string description, double min, double max) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = Parser<double?>(
            (string text, out double? value) =>
            {
                var ok = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max;
                value = ok ? number : null;
                return ok;
            },
            text => $"{name} '{text}' must be a number{Range(min, max, double.MinValue, double.MaxValue)}."),
    };

    public static Option<DateOnly?> Date(string name, string description, bool required = false) => new(name)
    {
        Description = description,
        HelpName = "YYYY-MM-DD",
        Required = required,
        CustomParser = Parser<DateOnly?>(
            (string text, out DateOnly? value) =>
            {
                var ok = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date);
                value = ok ? date : null;
                return ok;
            },
            text => $"{name} '{text}' is not a date; use YYYY-MM-DD."),
    };

    /// <summary>
    /// A duration as people write it (<see cref="Durations"/>), at most <paramref name="max"/>. The
    /// default is stated in the description, so help shows <c>7d</c> rather than <c>7.00:00:00</c>.
    /// </summary>
    public static Option<TimeSpan?> Duration(string name, string description, TimeSpan? max = null) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        CustomParser = Parser<TimeSpan?>(
            (string text, out TimeSpan? value) =>
            {
                var ok = Durations.TryParse(text, out var span) && (max is null || span <= max);
                value = ok ? span : null;
                return ok;
            },
            text => Durations.TryParse(text, out _)
                ? $"{name} '{text}' must be at most {max!.Value.TotalDays:0.##} days."
                : $"{name} '{text}' is not a duration; use e.g. 7d, 12h, 30m, 45s."),
    };

    public static Option<string> Text(string name, string helpName, string description, bool required = false, string? fallback = null)
    {
        var option = new Option<string>(name) { Description = description, HelpName = helpName, Required = required };
        if (fallback is not null)
        {
            option.DefaultValueFactory = _ => fallback;
        }

        return option;
    }

    /// <summary>A path that must name an existing file, checked while parsing so the error names the option.</summary>
    public static Option<string> ExistingFile(string name, string helpName, string description, bool required, string? hint = null)
    {
        var option = Text(name, helpName, description, required);
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } path && !File.Exists(path))
            {
                result.AddError($"{name} '{path}' does not exist{hint}.");
            }
        });
        return option;
    }

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    private static Func<ArgumentResult, T> Parser<T>(TryParse<T> tryParse, Func<string, string> complaint) => result =>
    {
        // The arity is one value, so there is exactly one token; more is the library's own error.
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (tryParse(text, out var value))
        {
            return value;
        }

        result.AddError(complaint(text));
        return default!;
    };

    private static string Range<T>(T min, T max, T lowest, T highest)
        where T : IEquatable<T>, IFormattable => (min.Equals(lowest), max.Equals(highest)) switch
        {
            (false, false) => string.Create(CultureInfo.InvariantCulture, $" between {min} and {max}"),
            (false, true) => string.Create(CultureInfo.InvariantCulture, $" of at least {min}"),
            (true, false) => string.Create(CultureInfo.InvariantCulture, $" of at most {max}"),
            _ => string.Empty,
        };
}
