using Fraud.Runtime.Ledger;
using Fraud.Runtime.Observability;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Cases;

/// <summary>
/// Files every anomaly into its account's case. The ledger is the source: each look reads the
/// anomalies in no case yet (oldest first) and hands each account's to its case owner, so nothing
/// the detector committed is missed, whatever was down meanwhile; a filing that fails stays unfiled
/// and is tried again at the next look. One replica files at a time (a lease in the ledger).
/// </summary>
public sealed partial class CaseIntake(ICaseLedger ledger, ICaseOwner owners, IOptions<CaseOptions> options, TimeProvider time, ILogger<CaseIntake> logger)
    : BackgroundService
{
    public const string LeaseName = "case-intake";

    /// <summary>This process, as it holds the leases in the ledger (case intake, the deadline scan).</summary>
    internal static readonly string Holder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    private readonly CaseOptions _options = options.Value;
    private readonly ThrottledLog _failures = new(TimeSpan.FromSeconds(30));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                more = await FileOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                CaseMetrics.IntakeFailures.Inc();
                if (_failures.ShouldLog(out var suppressed))
                {
                    LogLookFailed(logger, e, suppressed);
                }
            }

            if (!more)
            {
                await Task.Delay(_options.IntakeInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One look: files what is waiting, up to a batch. True when a full batch was filed (look again at once).</summary>
    public async Task<bool> FileOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lease = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(10).Ticks, _options.IntakeInterval.Ticks * 5));
        if (!await ledger.TryHoldLeaseAsync(LeaseName, Holder, now, now + lease, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var alerts = await ledger.UncasedAlertsAsync(_options.IntakeBatch, cancellationToken).ConfigureAwait(false);
        CaseMetrics.IntakePending.Set(alerts.Count < _options.IntakeBatch
            ? alerts.Count
            : await ledger.CountUncasedAlertsAsync(cancellationToken).ConfigureAwait(false));
        if (alerts.Count == 0)
        {
            return false;
        }

        var failed = 0;
        await Parallel.ForEachAsync(
            alerts.GroupBy(a => a.AccountId, StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (account, token) =>
            {
                try
                {
                    await owners.ExecuteAsync(account.Key, new CaseCommand(CaseCommandKind.File, CaseRules.System, Alerts: [.. account]), token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Interlocked.Increment(ref failed);
                    CaseMetrics.IntakeFailures.Inc();
                    if (_failures.ShouldLog(out var suppressed))
                    {
                        LogFilingFailed(logger, e, account.Key, suppressed);
                    }
                }
            }).ConfigureAwait(false);
        return failed == 0 && alerts.Count == _options.IntakeBatch;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case intake could not look for new anomalies; it looks again shortly ({Suppressed} such failures not logged)")]
    private static partial void LogLookFailed(ILogger logger, Exception exception, int suppressed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Filing the anomalies of account {Account} into its case failed; they stay unfiled and are filed at the next look ({Suppressed} such failures not logged)")]
    private static partial void LogFilingFailed(ILogger logger, Exception exception, string account, int suppressed);
}
