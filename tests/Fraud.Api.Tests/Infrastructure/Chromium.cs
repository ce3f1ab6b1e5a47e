using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fraud.TestSupport;

namespace Fraud.Api.Tests.Infrastructure;

/// <summary>
/// Headless Chromium (<c>/usr/bin/chromium</c>, from Debian's <c>chromium</c> package) driven over the
/// DevTools protocol on a WebSocket: no browser-automation package, just <see cref="ClientWebSocket"/>
/// and JSON. A fresh profile in a temp directory each time; the browser is closed on dispose.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly TempDirectory _profile;
    private readonly DevToolsConnection _connection;

    private Chromium(Process process, TempDirectory profile, DevToolsConnection connection)
    {
        _process = process;
        _profile = profile;
        _connection = connection;
    }

    /// <summary>Starts the browser, or fails saying what to install when it is missing.</summary>
    public static async Task<Chromium> StartAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new Xunit.Sdk.XunitException(
                $"The browser test needs Chromium at {Executable}, which is missing: apt-get install chromium (Debian's package; the test drives it headless over the DevTools protocol).");
        }

        var profile = TempDirectory.Create("fraud-chromium");
        var start = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--disable-crash-reporter", "--disable-breakpad",
                     "--disable-extensions", "--mute-audio", "--no-default-browser-check", "--window-size=1400,1000", "--lang=en-US",
                     $"--user-data-dir={profile.Path}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start chromium");
        var output = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            // Chromium writes its DevTools port and browser path to this file once it listens.
            var portFile = profile.Combine("DevToolsActivePort");
            var deadline = DateTime.UtcNow + StartTimeout;
            string[] lines = [];
            while (lines.Length < 2)
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    lock (output)
                    {
                        throw new InvalidOperationException($"Chromium did not open its DevTools port (exited: {process.HasExited}). Output:\n{output}");
                    }
                }

                await Task.Delay(50);
                try
                {
                    lines = File.Exists(portFile) ? await File.ReadAllLinesAsync(portFile) : [];
                }
                catch (IOException)
                {
                    lines = [];
                }
            }

            var connection = await DevToolsConnection.ConnectAsync(new Uri($"ws://127.0.0.1:{lines[0].Trim()}{lines[1].Trim()}"));
            return new Chromium(process, profile, connection);
        }
        catch
        {
            Stop(process);
            profile.Dispose();
            throw;
        }
    }

    /// <summary>A new tab, attached and with Page and Runtime events on.</summary>
    public async Task<Tab> NewTabAsync()
    {
        var target = await _connection.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
        var attached = await _connection.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true });
        var tab = new Tab(_connection, attached["sessionId"]!.GetValue<string>());
        await tab.SendAsync("Page.enable");
        await tab.SendAsync("Runtime.enable");
        await tab.SendAsync("Log.enable");
        return tab;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _connection.SendAsync("Browser.close", null, null, timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or InvalidOperationException or IOException)
        {
            // Closed or gone already: stopped below.
        }

        await _connection.DisposeAsync();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            Stop(_process);
        }

        _process.Dispose();
        _profile.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>One page: navigate, evaluate JavaScript, wait for a condition; records uncaught exceptions and console errors.</summary>
    public sealed class Tab(DevToolsConnection connection, string sessionId)
    {
        public IReadOnlyList<string> Errors => connection.ErrorsOf(sessionId);

        public Task<JsonNode> SendAsync(string method, JsonObject? parameters = null) => connection.SendAsync(method, parameters, sessionId);

        /// <summary>Runs <paramref name="source"/> in every document before its own scripts (exempt from the page's CSP).</summary>
        /// <summary>The page's size in CSS pixels, one device pixel each (as the analyst's 1400×900 screen).</summary>
        public Task SetViewportAsync(int width, int height) => SendAsync("Emulation.setDeviceMetricsOverride",
            new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false });

        public Task AddInitScriptAsync(string source) => SendAsync("Page.addScriptToEvaluateOnNewDocument", new JsonObject { ["source"] = source });

        public async Task NavigateAsync(Uri url)
        {
            var result = await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
            if (result["errorText"] is { } error)
            {
                throw new InvalidOperationException($"navigation to {url} failed: {error}");
            }

            // Page.navigate answers once the request is under way; wait for the new document itself.
            await WaitForAsync($"location.href === {JsonSerializer.Serialize(url.ToString())} && document.readyState === 'complete'", $"{url} to load", "location.href");
        }

        /// <summary>The value of a JavaScript expression (JSON-serialisable), awaiting it if it is a promise.</summary>
        public async Task<JsonNode?> EvaluateAsync(string expression)
        {
            var result = await SendAsync("Runtime.evaluate", new JsonObject
            {
                ["expression"] = expression,
                ["returnByValue"] = true,
                ["awaitPromise"] = true,
                ["userGesture"] = true,
            });
            if (result["exceptionDetails"] is { } exception)
            {
                throw new InvalidOperationException($"`{expression}` threw: {exception.ToJsonString()}");
            }

            return result["result"]?["value"]?.DeepClone();
        }

        /// <summary>Polls <paramref name="condition"/> (a JavaScript expression) until it is true; fails after a generous timeout with <paramref name="state"/>'s value.</summary>
        public async Task WaitForAsync(string condition, string what, string state = "document.body.innerText", TimeSpan? timeout = null)
        {
            var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
            while (true)
            {
                // A condition that throws (an element not there yet) is simply not true yet.
                if ((await EvaluateAsync($"(() => {{ try {{ return !!({condition}); }} catch {{ return false; }} }})()"))?.GetValue<bool>() == true)
                {
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    var now = await EvaluateAsync(state);
                    throw new Xunit.Sdk.XunitException($"timed out waiting for {what} ({condition}). Page now: {now?.ToJsonString()}. Errors: {string.Join(" | ", Errors)}");
                }

                await Task.Delay(50);
            }
        }
    }

    /// <summary>The DevTools WebSocket: numbered commands and their answers, plus the events tests care about.</summary>
    public sealed class DevToolsConnection : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket;
        private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode>> _pending = new();
        private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _errors = new(StringComparer.Ordinal);
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _receiving;
        private int _nextId;

        private DevToolsConnection(ClientWebSocket socket)
        {
            _socket = socket;
            _receiving = Task.Run(ReceiveAsync);
        }

        public static async Task<DevToolsConnection> ConnectAsync(Uri browser)
        {
            var socket = new ClientWebSocket();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(browser, timeout.Token);
            return new DevToolsConnection(socket);
        }

        public IReadOnlyList<string> ErrorsOf(string sessionId) => _errors.TryGetValue(sessionId, out var errors) ? [.. errors] : [];

        public async Task<JsonNode> SendAsync(string method, JsonObject? parameters, string? sessionId = null, CancellationToken cancellationToken = default)
        {
            var id = Interlocked.Increment(ref _nextId);
            var answer = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[id] = answer;
            var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
            if (sessionId is not null)
            {
                message["sessionId"] = sessionId;
            }

            await _sendLock.WaitAsync(cancellationToken);
            try
            {
                await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
            finally
            {
                _sendLock.Release();
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var response = await answer.Task.WaitAsync(timeout.Token);
            if (response["error"] is { } error)
            {
                throw new InvalidOperationException($"DevTools {method} failed: {error.ToJsonString()}");
            }

            return response["result"] ?? new JsonObject();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                if (_socket.State == WebSocketState.Open)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The browser went away first.
            }

            try
            {
                await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
                // Abandoned: the socket is disposed below.
            }

            _socket.Dispose();
            _stop.Dispose();
            _sendLock.Dispose();
        }

        private async Task ReceiveAsync()
        {
            var buffer = new byte[64 * 1024];
            using var message = new MemoryStream();
            try
            {
                while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
                {
                    var frame = await _socket.ReceiveAsync(buffer, _stop.Token);
                    if (frame.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    message.Write(buffer, 0, frame.Count);
                    if (!frame.EndOfMessage)
                    {
                        continue;
                    }

                    Dispatch(JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length))!);
                    message.SetLength(0);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or JsonException)
            {
                // Closing, or the browser is gone: pending commands fail below.
            }
            finally
            {
                foreach (var pending in _pending.Values)
                {
                    pending.TrySetException(new IOException("the DevTools connection closed"));
                }
            }
        }

        private void Dispatch(JsonNode message)
        {
            if (message["id"] is { } id)
            {
                if (_pending.TryRemove(id.GetValue<int>(), out var answer))
                {
                    answer.TrySetResult(message);
                }

                return;
            }

            var session = message["sessionId"]?.GetValue<string>();
            if (session is null)
            {
                return;
            }

            var method = message["method"]?.GetValue<string>();
            var parameters = message["params"];
            string? error = method switch
            {
                "Runtime.exceptionThrown" => "exception: " + parameters?["exceptionDetails"]?.ToJsonString(),
                "Runtime.consoleAPICalled" when parameters?["type"]?.GetValue<string>() is "error" or "assert" =>
                    "console.error: " + parameters["args"]?.ToJsonString(),
                // Content-Security-Policy refusals and script errors; network answers such as a 401 are the page's business.
                "Log.entryAdded" when parameters?["entry"]?["source"]?.GetValue<string>() is "security" or "javascript" =>
                    "log: " + parameters["entry"]!["text"]?.GetValue<string>(),
                _ => null,
            };
            if (error is not null)
            {
                _errors.GetOrAdd(session, _ => new ConcurrentQueue<string>()).Enqueue(error);
            }
        }
    }
}
