using Fraud.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await Cli.RunAsync(args, Console.Out, Console.Error, interactive: !Console.IsErrorRedirected, cancellation: cancellation.Token);
