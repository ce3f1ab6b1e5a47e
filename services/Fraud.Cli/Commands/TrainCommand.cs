using System.Globalization;
using Fraud.Cli.CommandLine;
using Fraud.Core.Features;
using Fraud.Core.Model;
using Fraud.Core.Replay;
using Fraud.Core.Scoring;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud train</c>: replays the file through the live feature code and trains on the rows of the
/// window — LightGBM with labels, RandomizedPca without — then writes the model file.
/// </summary>
internal sealed class TrainCommand : ICommand
{
    public string Name => "train";

    public string Summary => "train a model on a (labelled) transaction file";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        .. ImportArguments.All,
        new("from", "DATE", "first day to train on, inclusive (default: the file's first)"),
        new("to", "DATE", "last day to train on, inclusive (default: the file's last)"),
        EngineDefaults.LabelDelay,
        new("out", "MODEL.zip", "where to write the model", Required: true),
    ];

    public Task<int> RunAsync(ParsedArguments args, CommandContext context)
    {
        var delay = EngineDefaults.Delay(args);
        var from = args.Date("from");
        var to = args.Date("to");
        if (from is not null && to is not null && to < from)
        {
            throw new UsageException("fraud train: --to is before --from.");
        }

        var start = from is { } f ? EngineDefaults.StartOf(f) : DateTimeOffset.MinValue;
        var end = to is { } t ? EngineDefaults.StartOf(t.AddDays(1)) : DateTimeOffset.MaxValue;
        var output = args.RequiredString("out");

        using var source = new TransactionSource(args, context, requireLabels: false);
        var replay = new TransactionReplay(new ProfileTracker(EngineDefaults.Profiles(delay)), delay);
        var set = new TrainingSet();
        Span<float> features = stackalloc float[FeatureVector.Length];
        DateTimeOffset? first = null, last = null;
        foreach (var row in source.Rows())
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var time = row.Transaction.Timestamp;
            if (time >= end)
            {
                break;
            }

            if (replay.Step(row, features) && time >= start)
            {
                set.Add(features, row.IsFraud == true, TimeKey.Seconds(time));
                first ??= time;
                last = time;
            }
        }

        if (set.Count == 0)
        {
            throw new UsageException("fraud train: no transactions in the training window; check --from/--to against the file.");
        }

        var trainer = new ModelTrainer(new TrainerOptions(), context.Time);
        var model = trainer.Train(set, new TrainingContext(first, last, delay, new ScoringOptions().AlertThreshold));
        ModelFile.Save(model, output);

        var m = model.Manifest;
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained {m.Version} ({m.Kind.ToString().ToLowerInvariant()}, {m.Algorithm}) on {m.TrainingRows:N0} transactions, {m.TrainingFrauds:N0} frauds, {first:yyyy-MM-dd}..{last:yyyy-MM-dd}"));
        if (!source.Reader.HasLabels)
        {
            context.Out.WriteLine("the file has no is_fraud column: trained the unsupervised anomaly model");
        }

        foreach (var (name, value) in m.Metrics.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-30} {value:0.####}"));
        }

        if (source.Reader.BadRowsSkipped > 0)
        {
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"skipped {source.Reader.BadRowsSkipped:N0} bad rows"));
        }

        context.Out.WriteLine($"wrote {output}");
        return Task.FromResult(0);
    }
}
