using Fraud.Core.Features;
using Fraud.Detector.Detection;
using Fraud.Detector.Models;
using Fraud.Runtime.Ledger;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Feedback;

/// <summary>
/// Merchant risk needs every fraud label, and learning from reviews needs the verdicts and the
/// alerts' features, but a verdict reaches only the one detector replica its partition belongs to,
/// and an alert's features only the replica that scored it. So both go through the ledger: each
/// replica keeps the features of its new alerts there, reads the labels recorded since its last
/// look, credits the frauds to its own merchant profiles and gives every label to its
/// <see cref="ModelHost"/>, with the alert's kept features when it did not score it itself.
/// Starts after the labels recorded before it started (its merchant profiles are empty then, so
/// older ones could not apply); the reviewed alerts among them it takes from the ledger at once.
/// </summary>
public sealed class LabelSync(
    ILedger ledger,
    MerchantProfiles merchants,
    ModelHost models,
    IOptions<DetectorOptions> options,
    TimeProvider time,
    ILogger<LabelSync> logger) : BackgroundService, IHostedLifecycleService
{
    private const int Page = 1_000;

    /// <summary>The last label applied (0 until the labels before this start are skipped and their reviewed alerts restored).</summary>
    public long Watermark { get; private set; }

    public long Applied { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var end = await ledger.LastLabelSequenceAsync(stoppingToken).ConfigureAwait(false);
            await RestoreReviewsAsync(end, stoppingToken).ConfigureAwait(false);
            Watermark = end;

            using var timer = new PeriodicTimer(options.Value.LabelSyncInterval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await SaveAlertFeaturesAsync(stoppingToken).ConfigureAwait(false);
                    await SyncOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Keeping alerts' features in the ledger or reading new labels from it failed; retrying at the next interval");
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
            var kept = await KeptFeaturesAsync(labels, cancellationToken).ConfigureAwait(false);
            foreach (var record in labels)
            {
                var label = record.Label;
                models.Learn(label, kept?.GetValueOrDefault(label.TransactionId));
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

    private async Task RestoreReviewsAsync(long upToSequence, CancellationToken cancellationToken)
    {
        if (!models.LearnsFromReviews)
        {
            return;
        }

        try
        {
            models.RestoreReviews(await ledger.LabelledFeaturesAsync(upToSequence, ModelHost.ReviewedCapacity, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Reading the reviewed alerts from the ledger failed; learning from new verdicts only");
        }
    }

    /// <summary>Keeps the features of the alerts remembered since the last call in the ledger; on failure they are offered again next time.</summary>
    public async Task SaveAlertFeaturesAsync(CancellationToken cancellationToken)
    {
        var rows = models.TakeUnsaved();
        try
        {
            await ledger.SaveAlertFeaturesAsync(rows, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            models.ReturnUnsaved(rows);
            throw;
        }
    }

    /// <summary>
    /// Keeps the last alerts' features once every hosted service has stopped, so that those of the
    /// deliveries finished during the detector's drain are kept too.
    /// </summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SaveAlertFeaturesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Keeping the last alerts' features in the ledger failed; their verdicts will not train a model");
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The kept features of the labelled alerts this detector does not remember itself (null when it learns nothing from reviews).</summary>
    private async Task<Dictionary<string, float[]>?> KeptFeaturesAsync(IReadOnlyList<LabelRecord> labels, CancellationToken cancellationToken)
    {
        if (!models.LearnsFromReviews)
        {
            return null;
        }

        var ids = labels.Select(l => l.Label.TransactionId).Where(id => !models.Remembers(id)).ToList();
        var kept = await ledger.GetAlertFeaturesAsync(ids, cancellationToken).ConfigureAwait(false);
        return kept.ToDictionary(k => k.TransactionId, k => k.Features, StringComparer.Ordinal);
    }
}
