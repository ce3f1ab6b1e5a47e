namespace Fraud.Contracts;

/// <summary>
/// The one spelling of the enums on the wire (JSON, CSV, query strings, metric labels, reasons):
/// snake_case, as <see cref="SnakeCaseEnumConverter{TEnum}"/> writes them. Parsing ignores case.
/// </summary>
public static class WireNames
{
    private static readonly string[] Channels = ["card_present", "online", "atm", "transfer"];
    private static readonly string[] Severities = ["none", "low", "medium", "high", "critical"];
    private static readonly string[] Statuses = ["open", "confirmed_fraud", "false_positive", "dismissed"];
    private static readonly string[] CaseStatuses = ["open", "closed"];
    private static readonly string[] CaseEventKinds = ["opened", "alert_added", "assigned", "unassigned", "escalated", "noted", "closed", "alert_reviewed"];

    /// <summary>The wire names of an enum type's values, in enum order (null for other types).</summary>
    public static IReadOnlyList<string>? Of(Type type) =>
        type == typeof(Channel) ? Channels
        : type == typeof(Severity) ? Severities
        : type == typeof(AnomalyStatus) ? Statuses
        : type == typeof(CaseStatus) ? CaseStatuses
        : type == typeof(CaseEventKind) ? CaseEventKinds
        : null;

    /// <summary>The channels as UTF-8, in enum order, for readers that compare raw JSON text.</summary>
    internal static readonly byte[][] ChannelsUtf8 = [.. Channels.Select(System.Text.Encoding.UTF8.GetBytes)];

    public static string Name(Channel channel) => Channels[(int)channel];

    public static string Name(Severity severity) => Severities[(int)severity];

    public static string Name(AnomalyStatus status) => Statuses[(int)status];

    public static string Name(CaseStatus status) => CaseStatuses[(int)status];

    public static string Name(CaseEventKind kind) => CaseEventKinds[(int)kind];

    /// <summary>The accepted names, comma-separated, for error messages.</summary>
    public static string ChannelList { get; } = string.Join(", ", Channels);

    public static string SeverityList { get; } = string.Join(", ", Severities);

    public static string StatusList { get; } = string.Join(", ", Statuses);

    public static string CaseStatusList { get; } = string.Join(", ", CaseStatuses);

    public static bool TryParse(ReadOnlySpan<char> name, out Channel channel)
    {
        var index = IndexOf(Channels, name);
        channel = (Channel)Math.Max(index, 0);
        return index >= 0;
    }

    public static bool TryParse(ReadOnlySpan<char> name, out Severity severity)
    {
        var index = IndexOf(Severities, name);
        severity = (Severity)Math.Max(index, 0);
        return index >= 0;
    }

    public static bool TryParse(ReadOnlySpan<char> name, out AnomalyStatus status)
    {
        var index = IndexOf(Statuses, name);
        status = (AnomalyStatus)Math.Max(index, 0);
        return index >= 0;
    }

    public static bool TryParse(ReadOnlySpan<char> name, out CaseStatus status)
    {
        var index = IndexOf(CaseStatuses, name);
        status = (CaseStatus)Math.Max(index, 0);
        return index >= 0;
    }

    private static int IndexOf(string[] names, ReadOnlySpan<char> name)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (name.Equals(names[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
