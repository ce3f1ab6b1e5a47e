using Fraud.Contracts;

namespace Fraud.Api.Cases;

/// <summary>Section <c>Fraud:Cases</c>: the deadline each severity sets, and how alerts are filed into cases.</summary>
public sealed class CaseOptions
{
    public const string Section = "Fraud:Cases";

    /// <summary>Time to a verdict for a case whose highest severity is critical.</summary>
    public TimeSpan CriticalDeadline { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan HighDeadline { get; set; } = TimeSpan.FromHours(4);

    public TimeSpan MediumDeadline { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Also the deadline of a case of severity none (an alert threshold set below low).</summary>
    public TimeSpan LowDeadline { get; set; } = TimeSpan.FromHours(72);

    /// <summary>How often case intake looks for anomalies in no case yet, when the last look found none waiting.</summary>
    public TimeSpan IntakeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most anomalies filed per look.</summary>
    public int IntakeBatch { get; set; } = 500;

    /// <summary>Embedded runtime: how often overdue cases are looked for (under Dapr, each case's reminder fires at its deadline).</summary>
    public TimeSpan DeadlineScanInterval { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan DeadlineFor(Severity severity) => severity switch
    {
        Severity.Critical => CriticalDeadline,
        Severity.High => HighDeadline,
        Severity.Medium => MediumDeadline,
        _ => LowDeadline,
    };

    public void Validate()
    {
        foreach (var (name, value) in new[]
        {
            (nameof(CriticalDeadline), CriticalDeadline), (nameof(HighDeadline), HighDeadline), (nameof(MediumDeadline), MediumDeadline), (nameof(LowDeadline), LowDeadline),
        })
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(365))
            {
                throw new ArgumentOutOfRangeException(name, value, "must be more than 0 and at most 365 days");
            }
        }

        // Waited for with Task.Delay, whose longest wait is about 49 days: a day is already far more than either needs.
        foreach (var (name, value) in new[] { (nameof(IntakeInterval), IntakeInterval), (nameof(DeadlineScanInterval), DeadlineScanInterval) })
        {
            if (value < TimeSpan.FromMilliseconds(10) || value > TimeSpan.FromDays(1))
            {
                throw new ArgumentOutOfRangeException(name, value, "must be from 10 ms to 1 day");
            }
        }

        if (!(CriticalDeadline <= HighDeadline && HighDeadline <= MediumDeadline && MediumDeadline <= LowDeadline))
        {
            throw new ArgumentException("a more severe case must not have a later deadline: CriticalDeadline <= HighDeadline <= MediumDeadline <= LowDeadline", nameof(CriticalDeadline));
        }

        if (IntakeBatch is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(IntakeBatch), IntakeBatch, "must be from 1 to 10000");
        }
    }
}
