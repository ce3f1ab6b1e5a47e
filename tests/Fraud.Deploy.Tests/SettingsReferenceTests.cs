using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Fraud.Api.Extensions;
using Fraud.Core.Scoring;
using Fraud.Deploy.Tests.Infrastructure;
using Fraud.Detector.Detection;
using Fraud.Runtime;

namespace Fraud.Deploy.Tests;

/// <summary>
/// <c>docs/operations.md</c> "Settings" lists every setting of every options class with its real
/// default, and nothing that no longer exists: an operator reads the defaults there, not in the code.
/// </summary>
public sealed partial class SettingsReferenceTests
{
    /// <summary>Every class with a <c>Section</c> constant under <c>Fraud:</c> in the services' assemblies.</summary>
    private static readonly IReadOnlyList<(string Section, Type Type)> OptionsClasses =
    [
        .. new[] { typeof(ApiOptions), typeof(DetectorOptions), typeof(RuntimeOptions), typeof(ScoringOptions) }
            .Select(t => t.Assembly)
            .SelectMany(a => a.GetTypes())
            .Select(t => (Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string, Type: t))
            .Where(o => o.Section?.StartsWith("Fraud:", StringComparison.Ordinal) == true)
            .Select(o => (o.Section!, o.Type))
            .OrderBy(o => o.Item1, StringComparer.Ordinal),
    ];

    [Fact]
    public void Every_options_class_is_found()
    {
        // The discovery above must see the sections the services bind, or the next test proves nothing.
        string[] expected = ["Fraud:Anomalies", "Fraud:Api", "Fraud:Bus", "Fraud:Cases", "Fraud:Detector", "Fraud:Ledger", "Fraud:Profiles", "Fraud:Rules", "Fraud:Runtime", "Fraud:Scoring"];
        Assert.Equal(expected, OptionsClasses.Select(o => o.Section));
    }

    [Fact]
    public void The_settings_table_lists_every_setting_with_its_default_and_nothing_else()
    {
        var documented = Documented();
        var actual = OptionsClasses
            .SelectMany(o => Settings(o.Type).Select(s => (Name: $"{o.Section}:{s.Name}", s.Default)))
            .ToList();

        var wrong = actual
            .Where(s => !documented.TryGetValue(s.Name, out var value) || value != s.Default)
            .Select(s => $"| `{s.Name}` | {Cell(s.Default)} | … |  (documented: {(documented.TryGetValue(s.Name, out var value) ? Cell(value) : "missing")})")
            .ToList();
        var stale = documented.Keys.Except(actual.Select(s => s.Name), StringComparer.Ordinal).ToList();

        Assert.True(wrong.Count == 0, "docs/operations.md \"Settings\" needs these rows:\n" + string.Join('\n', wrong));
        Assert.True(stale.Count == 0, "docs/operations.md \"Settings\" lists settings that do not exist: " + string.Join(", ", stale));
    }

    /// <summary>The public settable properties and their defaults, written as configuration takes them.</summary>
    private static IEnumerable<(string Name, string? Default)> Settings(Type type)
    {
        var instance = Activator.CreateInstance(type)!;
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod?.IsPublic == true)
            .Select(p => (p.Name, Format(p.GetValue(instance))));
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        string { Length: 0 } => null,
        string s => s,
        ICollection { Count: 0 } => null,
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"no configuration form for {value.GetType()}"),
    };

    private static string Cell(string? value) => value is null ? "none" : $"`{value}`";

    /// <summary>Rows <c>| `Fraud:…` | `default` or none | what it does |</c> of the Settings section.</summary>
    private static Dictionary<string, string?> Documented()
    {
        var text = Repo.Read("docs", "operations.md");
        var start = text.IndexOf("\n## Settings\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/operations.md has no \"## Settings\" section");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? text[start..] : text[start..end];
        var rows = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (Match row in Row().Matches(section))
        {
            var value = row.Groups["value"].Success ? row.Groups["value"].Value : null;
            Assert.True(rows.TryAdd(row.Groups["name"].Value, value), $"{row.Groups["name"].Value} is listed twice");
        }

        return rows;
    }

    [GeneratedRegex(@"^\| `(?<name>Fraud:[^`]+)` \| (?:`(?<value>[^`]*)`|none) \|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
