using Fraud.Core.Scoring;

namespace Fraud.Core.Tests.Scoring;

public sealed class AlertBudgetTests
{
    private static double[] Normal(Random random, int count, double mean, double deviation = 1) =>
        [.. Enumerable.Range(0, count).Select(_ =>
            mean + deviation * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))];

    /// <summary>Share of the values that alert (log-odds ≥ 0) after the budget's current shift.</summary>
    private static double AlertRate(AlertBudget budget, double[] values) =>
        values.Count(v => v - budget.Shift >= 0) / (double)values.Length;

    [Fact]
    public void An_exact_target_holds_the_alert_rate_from_both_sides()
    {
        var random = new Random(1);
        var low = new AlertBudget(0.01, 20_000, alertLogOdds: 0, exact: true);
        low.Observe(Normal(random, 20_000, mean: -4));
        // The 99th percentile of N(-4, 1) is -4 + 2.326: the threshold comes down to meet it.
        Assert.InRange(low.Shift, -1.8, -1.55);
        Assert.InRange(AlertRate(low, Normal(random, 50_000, mean: -4)), 0.008, 0.012);

        var high = new AlertBudget(0.01, 20_000, alertLogOdds: 0, exact: true);
        high.Observe(Normal(random, 20_000, mean: 1));
        Assert.InRange(high.Shift, 3.2, 3.45);
        Assert.InRange(AlertRate(high, Normal(random, 50_000, mean: 1)), 0.008, 0.012);
        Assert.InRange(high.UnbudgetedRate, 0.82, 0.87);
    }

    [Fact]
    public void A_ceiling_changes_nothing_under_its_budget_and_caps_a_flood()
    {
        var random = new Random(2);
        var ceiling = new AlertBudget(0.01, 20_000, alertLogOdds: 0, exact: false);
        ceiling.Observe(Normal(random, 20_000, mean: -4));
        Assert.Equal(0, ceiling.Shift);
        Assert.InRange(ceiling.UnbudgetedRate, 0.00, 0.0005);

        ceiling.Observe(Normal(random, 20_000, mean: 0));
        Assert.InRange(AlertRate(ceiling, Normal(random, 50_000, mean: 0)), 0.008, 0.012);
        Assert.InRange(ceiling.UnbudgetedRate, 0.47, 0.53);
    }

    [Fact]
    public void Nothing_moves_before_twenty_alerts_worth_of_transactions()
    {
        var budget = new AlertBudget(0.01, 20_000, alertLogOdds: 0, exact: false);
        Assert.Equal(2_000, budget.MinimumObservations);
        budget.Observe(Enumerable.Repeat(5.0, 1_999).ToArray());
        Assert.Equal(0, budget.Shift);
        Assert.Equal(1, budget.UnbudgetedRate);
        budget.Observe([5.0]);
        Assert.True(budget.Shift > 4.9, $"shift {budget.Shift}");
    }

    [Fact]
    public void The_window_forgets_what_came_before_it()
    {
        var random = new Random(3);
        var budget = new AlertBudget(0.01, 20_000, alertLogOdds: 0, exact: true);
        budget.Observe(Normal(random, 20_000, mean: 1));
        Assert.InRange(budget.Shift, 3.2, 3.45);

        // A whole window later the old level is gone: the quantile is the new stream's alone.
        budget.Observe(Normal(random, 20_000, mean: -4));
        Assert.InRange(budget.Shift, -1.8, -1.55);
        Assert.Equal(40_000, budget.Observed);
    }
}
