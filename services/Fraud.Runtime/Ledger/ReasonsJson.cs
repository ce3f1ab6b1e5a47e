using System.Buffers;
using System.Text;
using System.Text.Json;
using Fraud.Contracts;

namespace Fraud.Runtime.Ledger;

/// <summary>
/// The ledger's reasons column: the JSON array <see cref="FraudJsonContext"/> writes
/// (<c>[{"code":…,"detail":…,"weight":…}]</c>).
/// </summary>
/// <remarks>
/// Read by hand because it is read for every row, fifty per page of anomalies: through the
/// serializer it took an eighth of the CPU of a <c>GET /anomalies</c>.
/// </remarks>
internal static class ReasonsJson
{
    private const int StackBytes = 4_096;

    public static string? Write(IReadOnlyList<Reason>? reasons) =>
        reasons is null || reasons.Count == 0 ? null : JsonSerializer.Serialize(reasons, FraudJsonContext.Default.IReadOnlyListReason);

    /// <summary>The reasons in <paramref name="json"/>; none for null or empty. Unknown members are skipped.</summary>
    /// <exception cref="JsonException">Not an array of reason objects.</exception>
    public static IReadOnlyList<Reason> Read(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        var most = Encoding.UTF8.GetMaxByteCount(json.Length);
        byte[]? rented = null;
        var utf8 = most <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(most));
        try
        {
            return Read(utf8[..Encoding.UTF8.GetBytes(json, utf8)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static List<Reason> Read(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        Next(ref reader, JsonTokenType.StartArray);
        var reasons = new List<Reason>(4);
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            Expect(ref reader, JsonTokenType.StartObject);
            string code = string.Empty, detail = string.Empty;
            double weight = 0;
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                Expect(ref reader, JsonTokenType.PropertyName);
                if (reader.ValueTextEquals("code"u8))
                {
                    Next(ref reader, JsonTokenType.String);
                    code = reader.GetString()!;
                }
                else if (reader.ValueTextEquals("detail"u8))
                {
                    Next(ref reader, JsonTokenType.String);
                    detail = reader.GetString()!;
                }
                else if (reader.ValueTextEquals("weight"u8))
                {
                    Next(ref reader, JsonTokenType.Number);
                    weight = reader.GetDouble();
                }
                else
                {
                    Next(ref reader);
                    reader.Skip();
                }
            }

            reasons.Add(new Reason(code, detail, weight));
        }

        return reasons;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("reasons: the JSON ends early");

    private static void Next(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        Next(ref reader);
        Expect(ref reader, expected);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (reader.TokenType != expected)
        {
            throw new JsonException($"reasons: expected {expected} at byte {reader.TokenStartIndex}, found {reader.TokenType}");
        }
    }
}
