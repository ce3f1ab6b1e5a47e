namespace Fraud.Core.Evaluation;

/// <summary>The windows of a backtest; dates are inclusive UTC days.</summary>
public sealed record BacktestOptions(DateOnly TrainFrom, DateOnly TrainTo, DateOnly TestFrom, DateOnly TestTo, TimeSpan LabelDelay)
{
    public DateTimeOffset TrainStart => Start(TrainFrom);
    public DateTimeOffset TrainEnd => Start(TrainTo.AddDays(1));
    public DateTimeOffset TestStart => Start(TestFrom);
    public DateTimeOffset TestEnd => Start(TestTo.AddDays(1));

    public void Validate()
    {
        if (TrainTo < TrainFrom)
        {
            throw new ArgumentException($"--train-to {TrainTo:yyyy-MM-dd} is before --train-from {TrainFrom:yyyy-MM-dd}.");
        }

        if (TestTo < TestFrom)
        {
            throw new ArgumentException($"--test-to {TestTo:yyyy-MM-dd} is before --test-from {TestFrom:yyyy-MM-dd}.");
        }

        if (TestFrom <= TrainTo)
        {
            throw new ArgumentException($"--test-from {TestFrom:yyyy-MM-dd} must come after --train-to {TrainTo:yyyy-MM-dd}.");
        }

        if (LabelDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("--label-delay must not be negative.");
        }
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
