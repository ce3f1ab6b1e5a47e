using Fraud.Core.Features;
using Fraud.Detector.Detection;
using Fraud.Detector.Models;
using Fraud.Runtime.Ledger;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Feedback;

/// <summary>
/// Merchant risk needs every fraud label, and learning from reviews needs the verdicts on this
/// replica's alerts, but a verdict reaches only the one detector replica its partition belongs to.
/// So labels go through the ledger: each replica reads the labels recorded since its last look,
/// credits the frauds to its own merchant profiles and gives every label to its
/// <see cref="ModelHost"/>. Starts from the labels recorded before it started (its merchant
/// profiles and remembered alerts are empty then, so older ones could not apply).
/// </summary>
public sealed class LabelSync(
    ILedger ledger,
    MerchantProfiles merchants,
    ModelHost models,
    IOptions<DetectorOptions> options,
    TimeProvider time,
    ILogger<LabelSync> logger) : BackgroundService
{
    private const int Page = 1_000;

    public long Watermark { get; private set; }

    public long Applied { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            Watermark = await EndOfLabelsAsync(stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(options.Value.LabelSyncInterval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await SyncOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Reading new labels from the ledger failed; retrying at the next interval");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The host is stopping (or never started).
        }
    }

    /// <summary>Applies every label recorded after the watermark; returns how many were fraud.</summary>
    public async Task<int> SyncOnceAsync(CancellationToken cancellationToken)
    {
        var frauds = 0;
        while (true)
        {
            var labels = await ledger.LabelsAfterAsync(Watermark, Page, cancellationToken).ConfigureAwait(false);
            foreach (var record in labels)
            {
                var label = record.Label;
                models.Learn(label);
                if (label.IsFraud && label.MerchantId is { Length: > 0 } merchantId)
                {
                    merchants.AddKnownFraud(merchantId, TimeKey.Seconds(label.TransactionTime), StableHash.Of(label.TransactionId));
                    frauds++;
                }

                Watermark = record.Sequence;
            }

            if (labels.Count < Page)
            {
                Applied += frauds;
                return frauds;
            }
        }
    }

    private async Task<long> EndOfLabelsAsync(CancellationToken cancellationToken)
    {
        var end = 0L;
        while (true)
        {
            var labels = await ledger.LabelsAfterAsync(end, Page, cancellationToken).ConfigureAwait(false);
            if (labels.Count == 0)
            {
                return end;
            }

            end = labels[^1].Sequence;
        }
    }
}
