using System.Globalization;
using Fraud.Core.Contracts;

namespace Fraud.Core.Import;

/// <summary>Validates one row's raw fields and builds the transaction, or says exactly what is wrong.</summary>
internal sealed class RowBuilder(string file, bool requireLabels)
{
    public LabelledTransaction Build(FieldValues v, long line)
    {
        var id = Required(v, CanonicalField.TransactionId, line);
        var account = Required(v, CanonicalField.AccountId, line);
        var timestampText = RequiredSpan(v, CanonicalField.Timestamp, line);
        if (!TimestampParser.TryParse(timestampText, out var timestamp))
        {
            throw Error(v, CanonicalField.Timestamp, line, $"'{timestampText}' is not a timestamp (ISO 8601, yyyy-MM-dd HH:mm:ss or unix seconds)");
        }

        var amountText = RequiredSpan(v, CanonicalField.Amount, line);
        if (!decimal.TryParse(amountText, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            throw Error(v, CanonicalField.Amount, line, $"'{amountText}' is not a number");
        }

        if (amount < 0)
        {
            // Zero is a card verification; a refund is not a payment to score.
            throw Error(v, CanonicalField.Amount, line, $"{amountText} is negative; amounts must be 0 or more");
        }

        var tx = new Transaction
        {
            TransactionId = id,
            AccountId = account,
            Timestamp = timestamp,
            Amount = amount,
            MerchantId = Optional(v, CanonicalField.MerchantId),
            MerchantCategory = Optional(v, CanonicalField.MerchantCategory),
            Currency = Code(v, CanonicalField.Currency, 3, "an ISO 4217 currency code (3 letters)", line),
            Country = Code(v, CanonicalField.Country, 2, "an ISO 3166 alpha-2 country code (2 letters)", line),
            Channel = ParseChannel(v, line),
            DeviceId = Optional(v, CanonicalField.DeviceId),
            Latitude = Coordinate(v, CanonicalField.Latitude, 90, line),
            Longitude = Coordinate(v, CanonicalField.Longitude, 180, line),
        };

        bool? isFraud = null;
        if (v.Has(CanonicalField.IsFraud))
        {
            isFraud = ParseLabel(v, line);
        }
        else if (requireLabels)
        {
            throw Error(v, CanonicalField.IsFraud, line, "a label (0/1) is required here");
        }

        return new LabelledTransaction(tx, isFraud, isFraud == true ? Optional(v, CanonicalField.FraudScenario) : null, line);
    }

    private string Required(FieldValues v, CanonicalField field, long line) => new(RequiredSpan(v, field, line));

    private ReadOnlySpan<char> RequiredSpan(FieldValues v, CanonicalField field, long line) =>
        v.Has(field) ? v.Get(field) : throw Error(v, field, line, "a value is required");

    private static string? Optional(FieldValues v, CanonicalField field) => v.Has(field) ? new string(v.Get(field)) : null;

    private string? Code(FieldValues v, CanonicalField field, int length, string what, long line)
    {
        if (!v.Has(field))
        {
            return null;
        }

        var text = v.Get(field);
        if (text.Length != length)
        {
            throw Error(v, field, line, $"'{text}' is not {what}");
        }

        Span<char> upper = stackalloc char[length];
        for (var i = 0; i < length; i++)
        {
            if (!char.IsAsciiLetter(text[i]))
            {
                throw Error(v, field, line, $"'{text}' is not {what}");
            }

            upper[i] = char.ToUpperInvariant(text[i]);
        }

        return new string(upper);
    }

    private Channel? ParseChannel(FieldValues v, long line)
    {
        if (!v.Has(CanonicalField.Channel))
        {
            return null;
        }

        var text = v.Get(CanonicalField.Channel);
        if (text.Equals("card_present", StringComparison.OrdinalIgnoreCase))
        {
            return Channel.CardPresent;
        }

        if (text.Equals("online", StringComparison.OrdinalIgnoreCase))
        {
            return Channel.Online;
        }

        if (text.Equals("atm", StringComparison.OrdinalIgnoreCase))
        {
            return Channel.Atm;
        }

        if (text.Equals("transfer", StringComparison.OrdinalIgnoreCase))
        {
            return Channel.Transfer;
        }

        throw Error(v, CanonicalField.Channel, line, $"'{text}' is not a channel (card_present, online, atm, transfer)");
    }

    private double? Coordinate(FieldValues v, CanonicalField field, double limit, long line)
    {
        if (!v.Has(field))
        {
            return null;
        }

        var text = v.Get(field);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Error(v, field, line, $"'{text}' is not a number");
        }

        return Math.Abs(value) <= limit ? value : throw Error(v, field, line, $"{text} is outside [-{limit}, {limit}]");
    }

    private bool ParseLabel(FieldValues v, long line)
    {
        var text = v.Get(CanonicalField.IsFraud);
        if (text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (text is "0" || text.Equals("false", StringComparison.OrdinalIgnoreCase) || text.Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        throw Error(v, CanonicalField.IsFraud, line, $"'{text}' is not a label (0/1, true/false, yes/no)");
    }

    private ImportException Error(FieldValues v, CanonicalField field, long line, string problem) =>
        new(file, line, v.Source(field), Math.Max(1, v.Position(field)), problem);
}
