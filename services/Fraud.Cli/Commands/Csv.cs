namespace Fraud.Cli.Commands;

internal static class Csv
{
    /// <summary>Quotes a field only when it needs it (RFC 4180).</summary>
    public static string Escape(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
