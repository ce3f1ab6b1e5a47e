using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Fraud.Contracts;

namespace Fraud.Runtime.Anomalies;

/// <summary>
/// The entity tag of an anomaly's review: a hash of its review fields. It is the same whether the
/// anomaly is read from the state store or the ledger, and changes with every review (each review
/// has its own time), which is all optimistic concurrency needs.
/// </summary>
public static class AnomalyETag
{
    public static string Of(Anomaly anomaly)
    {
        ArgumentNullException.ThrowIfNull(anomaly);
        var text = string.Join('\u001f',
            anomaly.TransactionId,
            ((int)anomaly.Status).ToString(CultureInfo.InvariantCulture),
            anomaly.ReviewedBy ?? string.Empty,
            anomaly.ReviewedAt?.UtcTicks.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            anomaly.Note ?? string.Empty);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return string.Create(CultureInfo.InvariantCulture, $"\"{BinaryPrimitives.ReadUInt64BigEndian(hash):x16}\"");
    }

    /// <summary>
    /// True when every entry of an <c>If-Match</c> value is <c>*</c> or a tag of this API's form
    /// (strong or weak); anything else is a caller's mistake to name, not a concurrent review.
    /// </summary>
    public static bool IsWellFormed(string ifMatch)
    {
        ArgumentNullException.ThrowIfNull(ifMatch);
        var entries = ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return entries.Length > 0 && entries.All(e => e == "*" || IsTag(e.StartsWith("W/", StringComparison.Ordinal) ? e[2..] : e));
    }

    private static bool IsTag(string tag) =>
        tag.Length == 18 && tag[0] == '"' && tag[^1] == '"' && tag.AsSpan(1, 16).IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>
    /// True when an <c>If-Match</c> value names this tag (or is <c>*</c>). If-Match compares strongly
    /// (RFC 9110, 13.1.1), so a weak tag (<c>W/"…"</c>) never matches: it would claim the caller saw
    /// this exact review when it only saw one like it.
    /// </summary>
    public static bool Matches(string ifMatch, Anomaly anomaly)
    {
        var current = Of(anomaly);
        foreach (var tag in ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (tag == "*" || tag == current)
            {
                return true;
            }
        }

        return false;
    }
}
