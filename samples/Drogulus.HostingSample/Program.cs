// Runs the README's snippets: two TLS nodes in one actor system on 127.0.0.1 (join, put, get, latest get), then a
// node under a generic host with Akka.Hosting and its health check, then a hosted node with its files restarted. Exit code 0 when every step answered as
// the README says, 1 otherwise (one line per failure on stderr).
using Drogulus.HostingSample;

var failures = new List<string>();
failures.AddRange(await ActorSystemSnippet.RunAsync());
failures.AddRange(await HostingSnippet.RunAsync(args));
failures.AddRange(await DurableSnippet.RunAsync());
foreach (var failure in failures)
{
    Console.Error.WriteLine("Drogulus.HostingSample: " + failure);
}

Console.WriteLine(failures.Count == 0 ? "every README snippet ran as documented" : $"{failures.Count} README snippet checks failed");
return failures.Count == 0 ? 0 : 1;
