using Fraud.Runtime.Ledger;
using Fraud.Runtime.Observability;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Cases;

/// <summary>
/// Escalates open cases past their deadline. Embedded, it is how deadlines are kept; under Dapr each
/// case actor's reminder fires at the deadline, and this scan is the backstop for a reminder that
/// could not be set. One replica scans at a time (a lease in the ledger); an escalation is
/// idempotent, so a reminder and a scan that meet change the case once.
/// </summary>
public sealed partial class CaseDeadlineScanner(ICaseLedger ledger, ICaseOwner owners, IOptions<CaseOptions> options, TimeProvider time, ILogger<CaseDeadlineScanner> logger)
    : BackgroundService
{
    public const string LeaseName = "case-deadlines";

    private readonly CaseOptions _options = options.Value;
    private readonly ThrottledLog _failures = new(TimeSpan.FromSeconds(60));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(_options.DeadlineScanInterval, time, stoppingToken).ConfigureAwait(false);
            try
            {
                await ScanOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (_failures.ShouldLog(out var suppressed))
                {
                    LogScanFailed(logger, e, suppressed);
                }
            }
        }
    }

    /// <summary>Escalates what is due now; returns how many cases it escalated.</summary>
    public async Task<int> ScanOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!await ledger.TryHoldLeaseAsync(LeaseName, CaseIntake.Holder, now, now + _options.DeadlineScanInterval * 3, cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }

        var escalated = 0;
        foreach (var due in await ledger.DueCasesAsync(now, 1_000, cancellationToken).ConfigureAwait(false))
        {
            var outcome = await owners.ExecuteAsync(due.AccountId, new CaseCommand(CaseCommandKind.Escalate, CaseRules.System, due.CaseId), cancellationToken)
                .ConfigureAwait(false);
            escalated += outcome.Kind == CaseOutcomeKind.Done ? 1 : 0;
        }

        return escalated;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The scan for overdue cases failed; it runs again at its next interval ({Suppressed} such failures not logged)")]
    private static partial void LogScanFailed(ILogger logger, Exception exception, int suppressed);
}
