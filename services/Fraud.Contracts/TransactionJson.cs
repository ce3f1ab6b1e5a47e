using System.Text;
using System.Text.Json;

namespace Fraud.Contracts;

/// <summary>
/// Reads transactions from JSON (camelCase, as <see cref="FraudJsonContext"/> writes them) and says
/// what is wrong with every bad field instead of stopping at the first, so a producer fixes a batch
/// in one round trip. Unknown members are ignored for forward compatibility. Used by the API for
/// request bodies and by the detector for raw payloads from producers outside Dapr.
/// </summary>
public static class TransactionJson
{
    /// <summary>
    /// Parses a body holding one transaction object or an array of them. Error paths are
    /// <c>[i].field</c> for arrays and <c>field</c> for a single object; a body with errors yields
    /// no transactions at all, so nothing is half-accepted.
    /// </summary>
    public static TransactionBatch ParseBatch(ReadOnlySpan<byte> utf8, int maxItems)
    {
        var errors = new List<FieldError>();
        var items = new List<Transaction>();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read())
            {
                errors.Add(new FieldError("$", "the body is empty; send a transaction object or an array of them"));
                return new TransactionBatch([], errors);
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    if (ReadObject(ref reader, -1, errors) is { } single)
                    {
                        items.Add(single);
                    }

                    break;
                case JsonTokenType.StartArray:
                    var index = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (index == maxItems)
                        {
                            errors.Add(new FieldError("$", $"a batch holds at most {maxItems} transactions; split it"));
                            return new TransactionBatch([], errors);
                        }

                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            errors.Add(new FieldError(new FieldPath(index, null).ToString(), "must be a transaction object"));
                            reader.Skip();
                        }
                        else if (ReadObject(ref reader, index, errors) is { } tx)
                        {
                            items.Add(tx);
                        }

                        index++;
                    }

                    if (index == 0)
                    {
                        errors.Add(new FieldError("$", "the array is empty"));
                    }

                    break;
                default:
                    errors.Add(new FieldError("$", "must be a transaction object or an array of them"));
                    break;
            }

            if (reader.Read())
            {
                errors.Add(new FieldError("$", "unexpected content after the JSON value"));
            }
        }
        catch (JsonException e)
        {
            errors.Add(new FieldError("$", $"invalid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {FirstSentence(e.Message)}"));
        }

        return errors.Count > 0 ? new TransactionBatch([], errors) : new TransactionBatch(items, errors);
    }

    /// <summary>Parses exactly one transaction object; null with <paramref name="errors"/> filled when it is not valid.</summary>
    public static Transaction? ParseOne(ReadOnlySpan<byte> utf8, List<FieldError> errors)
    {
        var batch = ParseBatch(utf8, maxItems: 1);
        if (batch.Errors.Count > 0 || batch.Transactions.Count != 1)
        {
            errors.AddRange(batch.Errors.Count > 0 ? batch.Errors : [new FieldError("$", "must be one transaction object")]);
            return null;
        }

        return batch.Transactions[0];
    }

    private static Transaction? ReadObject(ref Utf8JsonReader reader, int index, List<FieldError> errors)
    {
        var before = errors.Count;
        string? id = null, account = null, merchant = null, category = null, currency = null, country = null, device = null;
        DateTimeOffset? timestamp = null;
        decimal? amount = null;
        Channel? channel = null;
        double? latitude = null, longitude = null;

        var seen = 0L;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = Member(ref reader, index, errors);
            reader.Read();
            var field = new FieldPath(index, member.Name);
            // A member given twice: parsers disagree on which copy counts (first, last, error), so
            // the value other systems saw may not be the one scored here; refuse it.
            if (member.Field is { } known && (seen & (1L << (int)known)) != 0)
            {
                errors.Add(new FieldError(field.ToString(), "appears more than once; send each member once"));
                reader.Skip();
                continue;
            }

            if (member.Field is { } counted)
            {
                seen |= 1L << (int)counted;
            }

            switch (member.Field)
            {
                case CanonicalField.TransactionId:
                    id = ReadId(ref reader, field, errors);
                    break;
                case CanonicalField.AccountId:
                    account = ReadId(ref reader, field, errors);
                    break;
                case CanonicalField.MerchantId:
                    merchant = ReadId(ref reader, field, errors);
                    break;
                case CanonicalField.MerchantCategory:
                    category = ReadId(ref reader, field, errors);
                    break;
                case CanonicalField.DeviceId:
                    device = ReadId(ref reader, field, errors);
                    break;
                case CanonicalField.Timestamp:
                    timestamp = ReadTimestamp(ref reader, field, errors);
                    break;
                case CanonicalField.Amount:
                    amount = ReadAmount(ref reader, field, errors);
                    break;
                case CanonicalField.Currency:
                    currency = ReadCode(ref reader, field, 3, TransactionRules.CurrencyRule, errors);
                    break;
                case CanonicalField.Country:
                    country = ReadCode(ref reader, field, 2, TransactionRules.CountryRule, errors);
                    break;
                case CanonicalField.Channel:
                    channel = ReadChannel(ref reader, field, errors);
                    break;
                case CanonicalField.Latitude:
                    latitude = ReadCoordinate(ref reader, field, TransactionRules.MaxLatitude, errors);
                    break;
                case CanonicalField.Longitude:
                    longitude = ReadCoordinate(ref reader, field, TransactionRules.MaxLongitude, errors);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        Missing(id, new FieldPath(index, "transactionId"), errors);
        Missing(account, new FieldPath(index, "accountId"), errors);
        Missing(timestamp, new FieldPath(index, "timestamp"), errors);
        Missing(amount, new FieldPath(index, "amount"), errors);
        if (errors.Count > before)
        {
            return null;
        }

        return new Transaction
        {
            TransactionId = id!,
            AccountId = account!,
            Timestamp = timestamp!.Value,
            Amount = amount!.Value,
            MerchantId = merchant,
            MerchantCategory = category,
            Currency = currency,
            Country = country,
            Channel = channel,
            DeviceId = device,
            Latitude = latitude,
            Longitude = longitude,
        };
    }

    private static void Missing<T>(T? value, FieldPath field, List<FieldError> errors)
    {
        if (value is null)
        {
            var path = field.ToString();
            if (!errors.Exists(e => e.Path == path))
            {
                errors.Add(new FieldError(path, "is required"));
            }
        }
    }

    private static string? ReadId(ref Utf8JsonReader reader, FieldPath field, List<FieldError> errors)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            errors.Add(new FieldError(field.ToString(), "must be a string"));
            reader.Skip();
            return null;
        }

        return Text(ref reader, field, errors) is { } value && Check(TransactionRules.CheckId(value), field, errors) ? value : null;
    }

    // The path is spelt out only for an error: valid input builds no string per field.
    private static bool Check(string? problem, FieldPath field, List<FieldError> errors)
    {
        if (problem is null)
        {
            return true;
        }

        errors.Add(new FieldError(field.ToString(), problem));
        return false;
    }

    private static DateTimeOffset? ReadTimestamp(ref Utf8JsonReader reader, FieldPath field, List<FieldError> errors)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            errors.Add(new FieldError(field.ToString(), "must be an ISO 8601 string, e.g. 2026-01-31T12:00:00Z"));
            reader.Skip();
            return null;
        }

        if (Text(ref reader, field, errors) is not { } text)
        {
            return null;
        }

        if (!TimestampParser.TryParse(text, out var utc) || TimestampParser.IsUnixNumberText(text))
        {
            errors.Add(new FieldError(field.ToString(), $"'{Truncate(text)}' is not an ISO 8601 timestamp, e.g. 2026-01-31T12:00:00Z"));
            return null;
        }

        return Check(TransactionRules.CheckTimestamp(utc), field, errors) ? utc : null;
    }

    private const int MaxAmountText = 64;

    private static decimal? ReadAmount(ref Utf8JsonReader reader, FieldPath field, List<FieldError> errors)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            errors.Add(new FieldError(field.ToString(), "must be a number"));
            reader.Skip();
            return null;
        }

        // A JSON number is ASCII; one longer than this is no amount however it is read.
        var raw = reader.HasValueSequence ? [] : reader.ValueSpan;
        Span<char> text = stackalloc char[MaxAmountText];
        if (reader.HasValueSequence || raw.Length > MaxAmountText)
        {
            errors.Add(new FieldError(field.ToString(), $"is longer than {MaxAmountText} characters, which no amount needs"));
            return null;
        }

        for (var i = 0; i < raw.Length; i++)
        {
            text[i] = (char)raw[i];
        }

        if (!Check(TransactionRules.CheckAmountDigits(text[..raw.Length]), field, errors))
        {
            return null;
        }

        if (!reader.TryGetDecimal(out var amount))
        {
            errors.Add(new FieldError(field.ToString(), "is not a representable amount"));
            return null;
        }

        return Check(TransactionRules.CheckAmount(amount), field, errors) ? amount : null;
    }

    private static string? ReadCode(ref Utf8JsonReader reader, FieldPath field, int length, string what, List<FieldError> errors)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            var before = errors.Count;
            if (TransactionRules.NormaliseCode(Text(ref reader, field, errors), length) is { } code)
            {
                return code;
            }

            if (errors.Count > before)
            {
                return null;
            }
        }

        errors.Add(new FieldError(field.ToString(), $"must be {what}"));
        reader.Skip();
        return null;
    }

    private static Channel? ReadChannel(ref Utf8JsonReader reader, FieldPath field, List<FieldError> errors)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            // Case-sensitive here (JSON is the canonical spelling); CSV exports are forgiven their case.
            try
            {
                for (var i = 0; i < WireNames.ChannelsUtf8.Length; i++)
                {
                    if (reader.ValueTextEquals(WireNames.ChannelsUtf8[i]))
                    {
                        return (Contracts.Channel)i;
                    }
                }
            }
            catch (InvalidOperationException)
            {
                errors.Add(new FieldError(field.ToString(), InvalidText));
                return null;
            }
        }

        errors.Add(new FieldError(field.ToString(), $"must be one of {WireNames.ChannelList}"));
        reader.Skip();
        return null;
    }

    private static double? ReadCoordinate(ref Utf8JsonReader reader, FieldPath field, double limit, List<FieldError> errors)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var value))
        {
            errors.Add(new FieldError(field.ToString(), "must be a number"));
            reader.Skip();
            return null;
        }

        return Check(TransactionRules.CheckCoordinate(value, limit), field, errors) ? value : null;
    }

    private static (CanonicalField? Field, string Name) Member(ref Utf8JsonReader reader, int index, List<FieldError> errors)
    {
        try
        {
            // Matched on the raw bytes: no string per member name on the hot path.
            foreach (var (name, utf8, field) in Members)
            {
                if (reader.ValueTextEquals(utf8))
                {
                    return (field, name);
                }
            }

            return (null, reader.GetString()!);
        }
        catch (InvalidOperationException)
        {
            errors.Add(new FieldError(new FieldPath(index, null).ToString(), "has a member name that " + InvalidText));
            return (null, string.Empty);
        }
    }

    private const string InvalidText = "is not valid text: bytes that are not UTF-8, or a \\u escape of half a surrogate pair";

    /// <summary>
    /// The string value, or null with the field's error when it is not valid Unicode: the reader
    /// checks neither UTF-8 nor surrogate pairs until a string is decoded, and then throws
    /// <see cref="InvalidOperationException"/> (which is not a <see cref="JsonException"/>).
    /// </summary>
    private static string? Text(ref Utf8JsonReader reader, FieldPath field, List<FieldError> errors)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            errors.Add(new FieldError(field.ToString(), InvalidText));
            return null;
        }
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }

    // The JSON member names are the canonical fields in camelCase; labels (is_fraud, fraud_scenario) are file-only.
    private static readonly (string Name, byte[] Utf8, CanonicalField Field)[] Members =
    [
        .. Enum.GetValues<CanonicalField>()
            .Where(f => f is not (CanonicalField.IsFraud or CanonicalField.FraudScenario))
            .Select(f => (Name: JsonNamingPolicy.CamelCase.ConvertName(f.ToString()), Field: f))
            .Select(m => (m.Name, Encoding.UTF8.GetBytes(m.Name), m.Field)),
    ];
}

/// <summary>Where a field is (item index, or -1 for a lone object, and member name); made into text only for an error.</summary>
internal readonly record struct FieldPath(int Index, string? Name)
{
    public override string ToString() => (Index, Name) switch
    {
        (< 0, { } name) => name,
        (< 0, null) => "$",
        (var i, null) => $"[{i}]",
        (var i, { } name) => $"[{i}].{name}",
    };
}

/// <summary>The transactions of a body, or every error found in it (then no transactions).</summary>
public sealed record TransactionBatch(IReadOnlyList<Transaction> Transactions, IReadOnlyList<FieldError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
