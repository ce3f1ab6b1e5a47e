using System.Net;
using System.Net.Sockets;

namespace Fraud.TestSupport;

public static class LoopbackPort
{
    /// <summary>A loopback port free at the time of the call (the OS picks it; a caller must still cope with losing it).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
