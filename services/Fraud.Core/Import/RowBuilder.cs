using System.Globalization;
using Fraud.Contracts;

namespace Fraud.Core.Import;

/// <summary>Validates one row's raw fields and builds the transaction, or says exactly what is wrong.</summary>
internal sealed class RowBuilder(string file, bool requireLabels)
{
    public LabelledTransaction Build(FieldValues v, long line)
    {
        var id = Id(v, CanonicalField.TransactionId, line) ?? throw Error(v, CanonicalField.TransactionId, line, "a value is required");
        var account = Id(v, CanonicalField.AccountId, line) ?? throw Error(v, CanonicalField.AccountId, line, "a value is required");
        var timestampText = RequiredSpan(v, CanonicalField.Timestamp, line);
        if (!TimestampParser.TryParse(timestampText, out var timestamp))
        {
            throw Error(v, CanonicalField.Timestamp, line, $"'{timestampText}' is not a timestamp (ISO 8601, yyyy-MM-dd HH:mm:ss or unix seconds)");
        }

        Check(v, CanonicalField.Timestamp, line, timestampText, TransactionRules.CheckTimestamp(timestamp));
        var amountText = RequiredSpan(v, CanonicalField.Amount, line);
        Check(v, CanonicalField.Amount, line, amountText, TransactionRules.CheckAmountDigits(amountText));
        if (!decimal.TryParse(amountText, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            throw Error(v, CanonicalField.Amount, line, $"'{amountText}' is not a number");
        }

        Check(v, CanonicalField.Amount, line, amountText, TransactionRules.CheckAmount(amount));
        var tx = new Transaction
        {
            TransactionId = id,
            AccountId = account,
            Timestamp = timestamp,
            Amount = amount,
            MerchantId = Id(v, CanonicalField.MerchantId, line),
            MerchantCategory = Id(v, CanonicalField.MerchantCategory, line),
            Currency = Code(v, CanonicalField.Currency, 3, TransactionRules.CurrencyRule, line),
            Country = Code(v, CanonicalField.Country, 2, TransactionRules.CountryRule, line),
            Channel = ParseChannel(v, line),
            DeviceId = Id(v, CanonicalField.DeviceId, line),
            Latitude = Coordinate(v, CanonicalField.Latitude, TransactionRules.MaxLatitude, line),
            Longitude = Coordinate(v, CanonicalField.Longitude, TransactionRules.MaxLongitude, line),
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

    /// <summary>The id, or null when the column is absent or empty.</summary>
    private string? Id(FieldValues v, CanonicalField field, long line)
    {
        if (!v.Has(field))
        {
            return null;
        }

        var text = v.Get(field);
        Check(v, field, line, text, TransactionRules.CheckId(text));
        return new string(text);
    }

    /// <summary>Throws the rule's problem, if any, at the field.</summary>
    private void Check(FieldValues v, CanonicalField field, long line, ReadOnlySpan<char> text, string? problem)
    {
        if (problem is not null)
        {
            throw Error(v, field, line, $"'{text}' {problem}");
        }
    }

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
        return TransactionRules.NormaliseCode(text, length) ?? throw Error(v, field, line, $"'{text}' is not {what}");
    }

    private Channel? ParseChannel(FieldValues v, long line)
    {
        if (!v.Has(CanonicalField.Channel))
        {
            return null;
        }

        var text = v.Get(CanonicalField.Channel);
        if (WireNames.TryParse(text, out Channel channel))
        {
            return channel;
        }

        throw Error(v, CanonicalField.Channel, line, $"'{text}' is not a channel ({WireNames.ChannelList})");
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

        Check(v, field, line, text, TransactionRules.CheckCoordinate(value, limit));
        return value;
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
