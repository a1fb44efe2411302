using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;

namespace Drogulus.TlsBenchmark;

/// <summary>
/// What one TLS handshake between two nodes costs in CPU, against the floor of its cryptography (PROTOCOL §5: mutual
/// TLS 1.3 with self-signed P-256 certificates, the peer's id the hash of its key). Both ends run in this process
/// over 127.0.0.1 with the node's own options (<see cref="TlsCredentials"/>), one handshake at a time, and the process's
/// CPU time is read around a batch: a full handshake dials nodes in turn, more of them than the sessions SslStream
/// keeps; a resumed one dials the node dialled before. Each handshake is classified by the bytes the dialler read
/// until it completed (a resumed TLS 1.3 server sends no Certificate and CertificateVerify), so a batch that was not
/// what it claims shows. Then the parts that are not OpenSSL's are timed one by one, and the floor comes from
/// <c>openssl speed</c> on the same machine.
/// </summary>
internal static class Handshakes
{
    // SslStream keeps at most 500 client sessions per credentials; dialling more nodes than that in turn makes
    // every dial a first contact.
    private const int Strangers = 600;

    public static async Task<Dictionary<string, object>> RunAsync(int count)
    {
        var results = new Dictionary<string, object> { ["handshakes_per_batch"] = count };
        var now = DateTimeOffset.UtcNow;
        using var dialler = NodeIdentity.Generate(now);
        var dialling = new TlsCredentials(dialler);
        var nodes = Enumerable.Range(0, Strangers).Select(_ => NodeIdentity.Generate(now)).ToArray();
        var credentials = nodes.Select(n => new TlsCredentials(n)).ToArray();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();

        // One connection to each node stays open throughout, as in a running network: SslStream frees a TLS context
        // nobody uses, and a node's context is made once, not per handshake.
        var warm = new List<IDisposable>();
        for (var i = 0; i < Strangers; i++)
        {
            warm.AddRange((await Open(listener, dialling, nodes[i].Id, credentials[i])).Parts);
        }

        // Sockets alone: what TCP connect, accept, a byte each way and the closes cost without TLS.
        var sockets = await CpuPer(count, async _ =>
        {
            using var client = new TcpClient();
            var accepting = listener.AcceptTcpClientAsync();
            await client.ConnectAsync(IPAddress.Loopback, Port(listener));
            using var accepted = await accepting;
            var one = new byte[1];
            await client.GetStream().WriteAsync(one);
            await accepted.GetStream().ReadExactlyAsync(one);
            return 0;
        });

        var next = 0;
        var fullBytes = new List<int>();
        var full = await CpuPer(count, async _ =>
        {
            var i = next++ % Strangers;
            var (parts, read) = await Open(listener, dialling, nodes[i].Id, credentials[i]);
            Dispose(parts);
            fullBytes.Add(read);
            return read;
        });

        var resumedBytes = new List<int>();
        var resumed = await CpuPer(count, async _ =>
        {
            var (parts, read) = await Open(listener, dialling, nodes[0].Id, credentials[0]);
            Dispose(parts);
            resumedBytes.Add(read);
            return read;
        });

        // A resumed server flight is a few hundred bytes; a full one carries a certificate and its signature, a few
        // hundred more: the midpoint of the smallest and the largest flight over both batches tells them apart.
        var all = fullBytes.Concat(resumedBytes).ToArray();
        var threshold = (all.Min() + all.Max()) / 2.0;
        var fullClassified = fullBytes.Count(b => b > threshold);
        var resumedClassified = resumedBytes.Count(b => b < threshold);
        results["sockets_only_ms_cpu"] = sockets;
        results["full_ms_cpu_both_ends"] = full;
        results["resumed_ms_cpu_both_ends"] = resumed;
        results["full_bytes_read_by_dialler"] = new { min = fullBytes.Min(), max = fullBytes.Max() };
        results["resumed_bytes_read_by_dialler"] = new { min = resumedBytes.Min(), max = resumedBytes.Max() };
        results["full_batch_share_full"] = (double)fullClassified / fullBytes.Count;
        results["resumed_batch_share_resumed"] = (double)resumedClassified / resumedBytes.Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sockets only (connect, accept, a byte, close): {sockets:F3} ms CPU"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full handshake, both ends: {full:F3} ms CPU ({fullClassified} of {fullBytes.Count} full: dialler read {fullBytes.Min()}-{fullBytes.Max()} bytes)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"resumed handshake, both ends: {resumed:F3} ms CPU ({resumedClassified} of {resumedBytes.Count} resumed: dialler read {resumedBytes.Min()}-{resumedBytes.Max()} bytes)"));

        // The parts around OpenSSL, each per call, as SslStream and the node make them per handshake and side.
        var peer = nodes[1].Certificate;
        var raw = peer.RawData;
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
            VerificationFlags = X509VerificationFlags.AllFlags,
        };
        var reps = count * 4;
        using var decoded = X509CertificateLoader.LoadCertificate(raw);
        var parts = new Dictionary<string, double>
        {
            // SslStream builds a chain for the peer's certificate on every handshake (dotnet/runtime#49845).
            ["chain_build"] = await CpuPer(reps, _ =>
            {
                using var chain = new X509Chain { ChainPolicy = policy };
                chain.Build(decoded);
                return Task.FromResult(0);
            }),

            // SslStream turns the peer's DER into an X509Certificate2 on every handshake.
            ["certificate_decode"] = await CpuPer(reps, _ =>
            {
                using var c = X509CertificateLoader.LoadCertificate(raw);
                return Task.FromResult(0);
            }),

            // What the node's id cache saves for a peer it has seen: the key exported and hashed (PROTOCOL §2).
            ["key_hash"] = await CpuPer(reps, _ =>
            {
                Key.Hash(decoded.PublicKey.ExportSubjectPublicKeyInfo());
                return Task.FromResult(0);
            }),

            // The node's validation callback for a known peer: one lookup by the certificate's raw bytes.
            ["our_callback_known_peer"] = await CpuPer(reps, _ =>
            {
                dialling.IdOf(decoded);
                return Task.FromResult(0);
            }),
        };
        foreach (var (name, ms) in parts)
        {
            results[$"part_{name}_ms_cpu"] = ms;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: {ms * 1000:F1} µs CPU per call"));
        }

        var floor = OpensslFloor();
        if (floor is { } f)
        {
            results["floor"] = f;
            var fullFloor = 2 * (f.SignMs + f.VerifyMs + (2 * f.X25519Ms));
            var resumedFloor = 2 * 2 * f.X25519Ms;
            results["floor_full_ms_both_ends"] = fullFloor;
            results["floor_resumed_ms_both_ends"] = resumedFloor;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"floor (openssl speed: P-256 sign {f.SignMs * 1000:F1} µs, verify {f.VerifyMs * 1000:F1} µs, X25519 {f.X25519Ms * 1000:F1} µs): full {fullFloor:F3} ms both ends (per side a sign, a verify, an X25519 key pair and derivation), resumed {resumedFloor:F3} ms (per side an X25519 key pair and derivation)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full: {full / fullFloor:F1}x the floor; resumed: {resumed / resumedFloor:F1}x; the chain builds and decodes of both sides ({2 * (parts["chain_build"] + parts["certificate_decode"]):F3} ms) and the sockets ({sockets:F3} ms) explain {(2 * (parts["chain_build"] + parts["certificate_decode"])) + sockets + fullFloor:F3} ms of the full handshake's {full:F3}"));
        }
        else
        {
            Console.WriteLine("floor: openssl speed not available");
        }

        Dispose(warm);
        listener.Stop();
        foreach (var n in nodes)
        {
            n.Dispose();
        }

        return results;
    }

    /// <summary>A connection to a node, a byte each way; its parts and the bytes the dialler read during the handshake.</summary>
    private static async Task<(IDisposable[] Parts, int Read)> Open(TcpListener listener, TlsCredentials dialling, Key id, TlsCredentials node)
    {
        var client = new TcpClient();
        var accepting = listener.AcceptTcpClientAsync();
        await client.ConnectAsync(IPAddress.Loopback, Port(listener));
        var accepted = await accepting;
        var counting = new CountingStream(client.GetStream());
        var dialler = new SslStream(counting);
        var server = new SslStream(accepted.GetStream());
        await Task.WhenAll(dialler.AuthenticateAsClientAsync(dialling.Client(id)), server.AuthenticateAsServerAsync(node.Server()));
        var read = counting.BytesRead;
        var one = new byte[1];
        await dialler.WriteAsync(one);
        await server.ReadExactlyAsync(one);
        await server.WriteAsync(one);
        await dialler.ReadExactlyAsync(one);
        return ([dialler, server, client, accepted], read);
    }

    /// <summary>Process CPU per call, in milliseconds, over <paramref name="count"/> calls after a tenth as many unmeasured.</summary>
    private static async Task<double> CpuPer(int count, Func<int, Task<int>> call)
    {
        for (var i = 0; i < Math.Max(1, count / 10); i++)
        {
            await call(i);
        }

        GC.Collect();
        var start = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < count; i++)
        {
            await call(i);
        }

        return (Process.GetCurrentProcess().TotalProcessorTime - start).TotalMilliseconds / count;
    }

    /// <summary>P-256 sign and verify and X25519 derivation from <c>openssl speed</c>, in ms per operation; null without openssl.</summary>
    private static CryptoFloor? OpensslFloor()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("openssl", "speed -seconds 2 ecdsap256 ecdhx25519")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();

            // " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  45572.2  16700.0" and " 253 bits ecdh (X25519)   0.0000s  30810.0":
            // the seconds are rounded to 0.1 ms, so the rates per second are read.
            var ecdsa = Regex.Match(output, @"ecdsa \(nistp256\)\s+[0-9.]+s\s+[0-9.]+s\s+([0-9.]+)\s+([0-9.]+)");
            var ecdh = Regex.Match(output, @"ecdh \(X25519\)\s+[0-9.]+s\s+([0-9.]+)");
            if (!ecdsa.Success || !ecdh.Success)
            {
                return null;
            }

            double Ms(Group perSecond) => 1000 / double.Parse(perSecond.Value, CultureInfo.InvariantCulture);
            return new CryptoFloor(Ms(ecdsa.Groups[1]), Ms(ecdsa.Groups[2]), Ms(ecdh.Groups[1]), "openssl speed -seconds 2 ecdsap256 ecdhx25519");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    private static void Dispose(IEnumerable<IDisposable> parts)
    {
        foreach (var part in parts)
        {
            part.Dispose();
        }
    }

    /// <summary>The floor's operations, ms each, and the command that measured them.</summary>
    internal sealed record CryptoFloor(double SignMs, double VerifyMs, double X25519Ms, string Command);

    /// <summary>A stream that counts the bytes read through it.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public int BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Count(int n)
        {
            BytesRead += n;
            return n;
        }
    }
}
