namespace Fraud.Core.Evaluation;

/// <summary>The windows of a backtest; dates are inclusive UTC days.</summary>
/// <param name="Detectors">Detector replicas to simulate (accounts partitioned, merchant state per replica); 1 is one process.</param>
/// <param name="Baseline">Also train the same learner on <see cref="BaselineFeatures"/> alone, on the same rows, and report its figures.</param>
public sealed record BacktestOptions(DateOnly TrainFrom, DateOnly TrainTo, DateOnly TestFrom, DateOnly TestTo, TimeSpan LabelDelay, int Detectors = 1, bool Baseline = false)
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

        if (Detectors is < 1 or > 1024)
        {
            throw new ArgumentException($"--detectors {Detectors} must be between 1 and 1024.");
        }
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
