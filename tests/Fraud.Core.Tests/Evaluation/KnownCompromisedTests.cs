using Fraud.Core.Evaluation;

namespace Fraud.Core.Tests.Evaluation;

/// <summary>The handbook's protocol: a test day leaves out the cards whose fraud label has arrived by its start.</summary>
public sealed class KnownCompromisedTests
{
    private static readonly DateTimeOffset TrainStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Delay = TimeSpan.FromDays(2);

    [Fact]
    public void A_card_is_known_from_the_first_day_that_starts_after_its_fraud_label_arrived()
    {
        var known = new KnownCompromised(TrainStart, Delay);
        known.Observe("before", TrainStart.AddHours(-1), isFraud: true);   // before the training window: not the protocol's
        known.Observe("a1", TrainStart.AddHours(10), isFraud: true);       // label arrives 01-03 10:00
        known.Observe("a2", TrainStart.AddDays(1), isFraud: true);         // label arrives 01-04 00:00 exactly
        known.Observe("honest", TrainStart.AddHours(11), isFraud: false);

        Assert.False(known.IsKnown("a1", TrainStart.AddDays(2).AddHours(23)));
        Assert.False(known.IsKnown("a2", TrainStart.AddDays(2).AddHours(23)));
        Assert.True(known.IsKnown("a1", TrainStart.AddDays(3)));
        Assert.True(known.IsKnown("a2", TrainStart.AddDays(3)));
        Assert.False(known.IsKnown("before", TrainStart.AddDays(30)));
        Assert.False(known.IsKnown("honest", TrainStart.AddDays(30)));
    }

    [Fact]
    public void The_protocols_card_precision_matches_a_hand_computed_case()
    {
        // Training window: a1 fraud on 01-01 10:00, a2 fraud on 01-02 00:00 (label delay 2 days).
        // Test day 01-03: a1 0.9 F, a3 0.8 F, a9 0.5.        a1 not known yet (label arrives 10:00).
        // Test day 01-04: a1 0.95 F, a2 0.9 F, a3 0.7, a9 0.6. a1 and a2 known by 00:00: left out.
        // k = 1. Day 01-03: top a1 (fraud) → 1; a1 is found. Day 01-04: a3 0.7 tops a9 → 0.
        // Protocol mean (1 + 0) / 2 = 0.5. Counting known cards, day 01-04 would be a2 (fraud) → 1, mean 1.
        var rows = new (string Account, DateTimeOffset Time, double Score, bool Fraud)[]
        {
            ("a1", TrainStart.AddHours(10), double.NaN, true),
            ("a2", TrainStart.AddDays(1), double.NaN, true),
            ("a1", TrainStart.AddDays(2).AddHours(1), 0.9, true),
            ("a3", TrainStart.AddDays(2).AddHours(2), 0.8, true),
            ("a9", TrainStart.AddDays(2).AddHours(3), 0.5, false),
            ("a1", TrainStart.AddDays(3).AddHours(1), 0.95, true),
            ("a2", TrainStart.AddDays(3).AddHours(2), 0.9, true),
            ("a3", TrainStart.AddDays(3).AddHours(3), 0.7, false),
            ("a9", TrainStart.AddDays(3).AddHours(4), 0.6, false),
        };

        Assert.Equal(0.5, Protocol(rows, excludeKnown: true), 12);
        Assert.Equal(1.0, Protocol(rows, excludeKnown: false), 12);
    }

    /// <summary>What the backtest does with its test window: exclude, then card precision@1.</summary>
    private static double Protocol((string Account, DateTimeOffset Time, double Score, bool Fraud)[] rows, bool excludeKnown)
    {
        var known = new KnownCompromised(TrainStart, Delay);
        var accounts = new Dictionary<string, int>();
        List<int> day = [], account = [];
        List<double> score = [];
        List<bool> label = [];
        foreach (var row in rows)
        {
            var isTest = !double.IsNaN(row.Score);
            if (isTest && !(excludeKnown && known.IsKnown(row.Account, row.Time)))
            {
                day.Add(row.Time.Day);
                account.Add(accounts.TryGetValue(row.Account, out var a) ? a : accounts[row.Account] = accounts.Count);
                score.Add(row.Score);
                label.Add(row.Fraud);
            }

            known.Observe(row.Account, row.Time, row.Fraud);
        }

        return CardPrecision.AtK([.. day], [.. account], [.. score], [.. label], k: 1).Mean;
    }
}
