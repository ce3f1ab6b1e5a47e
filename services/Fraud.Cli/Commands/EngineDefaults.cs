using Fraud.Cli.CommandLine;
using Fraud.Core.Features;

namespace Fraud.Cli.Commands;

/// <summary>Options shared by the commands that replay a file through the feature engine.</summary>
internal static class EngineDefaults
{
    public static readonly OptionSpec LabelDelay = new("label-delay", "DURATION", "how long after a transaction its label becomes known (default 7d)");

    public static TimeSpan Delay(ParsedArguments args) => args.Duration(LabelDelay.Name, TimeSpan.FromDays(7));

    public static ProfileOptions Profiles(TimeSpan labelDelay)
    {
        var options = new ProfileOptions { LabelDelay = labelDelay };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException($"--label-delay: {e.Message}");
        }

        return options;
    }

    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
