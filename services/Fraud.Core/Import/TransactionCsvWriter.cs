using System.Globalization;
using Fraud.Contracts;

namespace Fraud.Core.Import;

/// <summary>
/// Writes transactions as canonical CSV (the header the readers recognise without --map),
/// quoting only fields that need it, with invariant numbers and ISO 8601 UTC timestamps.
/// </summary>
public sealed class TransactionCsvWriter
{
    private const string Columns = "transaction_id,timestamp,account_id,amount,merchant_id,merchant_category,currency,country,channel,device_id,latitude,longitude";

    private readonly TextWriter _writer;
    private readonly bool _includeLabels;
    private readonly int _extraColumns;
    private readonly char[] _scratch = new char[64];

    public TransactionCsvWriter(TextWriter writer, bool includeLabels, IReadOnlyList<string>? extraColumns = null)
    {
        _writer = writer;
        _includeLabels = includeLabels;
        _extraColumns = extraColumns?.Count ?? 0;
        writer.Write(Columns);
        if (includeLabels)
        {
            writer.Write(",is_fraud,fraud_scenario");
        }

        foreach (var column in extraColumns ?? [])
        {
            writer.Write(',');
            WriteField(column);
        }

        writer.Write('\n');
    }

    public void Write(in LabelledTransaction row, ReadOnlySpan<string?> extraValues = default)
    {
        if (extraValues.Length != _extraColumns)
        {
            throw new ArgumentException($"expected {_extraColumns} extra values, got {extraValues.Length}", nameof(extraValues));
        }

        var tx = row.Transaction;
        WriteField(tx.TransactionId);
        _writer.Write(',');
        WriteTimestamp(tx.Timestamp);
        _writer.Write(',');
        WriteField(tx.AccountId);
        _writer.Write(',');
        WriteNumber(tx.Amount);
        _writer.Write(',');
        WriteField(tx.MerchantId);
        _writer.Write(',');
        WriteField(tx.MerchantCategory);
        _writer.Write(',');
        WriteField(tx.Currency);
        _writer.Write(',');
        WriteField(tx.Country);
        _writer.Write(',');
        _writer.Write(tx.Channel is { } channel ? WireNames.Name(channel) : string.Empty);
        _writer.Write(',');
        WriteField(tx.DeviceId);
        _writer.Write(',');
        WriteNumber(tx.Latitude);
        _writer.Write(',');
        WriteNumber(tx.Longitude);
        if (_includeLabels)
        {
            _writer.Write(',');
            _writer.Write(row.IsFraud switch { true => "1", false => "0", null => string.Empty });
            _writer.Write(',');
            WriteField(row.Scenario);
        }

        foreach (var value in extraValues)
        {
            _writer.Write(',');
            WriteField(value);
        }

        _writer.Write('\n');
    }

    private void WriteTimestamp(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var format = utc.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";
        if (utc.TryFormat(_scratch, out var written, format, CultureInfo.InvariantCulture))
        {
            _writer.Write(_scratch, 0, written);
        }
    }

    private void WriteNumber<T>(T? value)
        where T : struct, ISpanFormattable
    {
        if (value is { } v && v.TryFormat(_scratch, out var written, default, CultureInfo.InvariantCulture))
        {
            _writer.Write(_scratch, 0, written);
        }
    }

    private void WriteNumber(decimal value)
    {
        if (value.TryFormat(_scratch, out var written, default, CultureInfo.InvariantCulture))
        {
            _writer.Write(_scratch, 0, written);
        }
    }

    private void WriteField(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            _writer.Write(value);
            return;
        }

        _writer.Write('"');
        _writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        _writer.Write('"');
    }
}
