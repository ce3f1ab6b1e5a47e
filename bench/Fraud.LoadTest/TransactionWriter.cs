using System.Buffers;
using System.Text.Json;

namespace Fraud.LoadTest;

/// <summary>
/// Synthetic transactions written straight to UTF-8 JSON (the load generator must cost the machine
/// little): accounts with their own typical amount, a few merchants each, time moving forward.
/// </summary>
internal sealed class TransactionWriter(int accounts, int seed, string prefix)
{
    private readonly Random _random = new(seed);
    private long _next;
    private DateTimeOffset _clock = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public long Written => _next;

    public byte[] Batch(int count)
    {
        var buffer = new ArrayBufferWriter<byte>(count * 260);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            for (var i = 0; i < count; i++)
            {
                var account = _random.Next(accounts);
                var typical = 10 + account % 200;
                _clock = _clock.AddMilliseconds(_random.Next(1, 40));
                json.WriteStartObject();
                json.WriteString("transactionId", $"{prefix}-{_next++}");
                json.WriteString("accountId", $"acct-{account}");
                json.WriteString("timestamp", _clock.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteNumber("amount", Math.Round((decimal)(typical * (0.5 + _random.NextDouble())), 2));
                json.WriteString("merchantId", $"merch-{(account * 7 + _random.Next(5)) % 20_000}");
                json.WriteString("currency", "EUR");
                json.WriteString("country", "FR");
                json.WriteString("channel", Fraud.Contracts.WireNames.Name(Fraud.Contracts.Channel.CardPresent));
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A card-testing burst on a fresh account: twelve 1.00 charges in half an hour; the last is an anomaly.</summary>
    public (byte[] Body, string AlertId) Probe(int number)
    {
        var buffer = new ArrayBufferWriter<byte>(12 * 260);
        var start = _clock;
        string last = string.Empty;
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            for (var i = 0; i < 12; i++)
            {
                last = $"{prefix}-probe-{number}-{i}";
                json.WriteStartObject();
                json.WriteString("transactionId", last);
                json.WriteString("accountId", $"{prefix}-probe-acct-{number}");
                json.WriteString("timestamp", start.AddMinutes(i * 2.5).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteNumber("amount", 1.00m);
                json.WriteString("merchantId", "merch-probe");
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return (buffer.WrittenSpan.ToArray(), last);
    }
}
