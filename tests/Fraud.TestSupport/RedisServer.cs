using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Fraud.TestSupport;

/// <summary>
/// A throwaway <c>redis-server</c> (Debian's package) on a free loopback port, with an append-only
/// file in its own folder so that <see cref="StopAsync"/> and <see cref="StartAsync()"/> make a real
/// outage (connections refused) without losing what was written, as a restarted Redis with
/// persistence would. Fails with what to install when there is no <c>redis-server</c>.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _binary;
    private readonly TempDirectory _directory = TempDirectory.Create("fraud-redis");
    private Process? _process;

    private RedisServer(string binary)
    {
        _binary = binary;
        Port = LoopbackPort.Free();
    }

    public int Port { get; }

    /// <summary><c>host:port</c>, as the Dapr Redis component's <c>redisHost</c> takes it.</summary>
    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<RedisServer> StartNewAsync()
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "The Dapr-mode tests need redis-server and found none in /usr/bin or /usr/local/bin: install it (Debian/Ubuntu: `apt-get install redis-server`).");
        var server = new RedisServer(binary);
        await server.StartAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>Starts (or restarts) the server on its port, with the data it had.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(_binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory.Path,
            "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "no", "--daemonize", "no"])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {_binary}");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port} (exited: {_process.HasExited})", e);
            }
        }
    }

    /// <summary>Stops the server (SIGTERM: it writes its append-only file and exits); clients are refused until <see cref="StartAsync()"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process?.Dispose();
        _directory.Dispose();
    }
}
