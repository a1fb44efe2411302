using Akka.TestKit;

namespace Drogulus.Testing;

/// <summary>Fails a test through the kit's own assertions, so that each test framework reports it its own way.</summary>
internal static class KitFailures
{
    /// <summary>Fails the test with <paramref name="message"/>; the returned exception is only for the compiler's flow analysis.</summary>
    public static Exception Failure(this TestKitBase kit, string message)
    {
        // The message goes in as an argument, not as the format: records print braces.
        TestKitAssertionsExtension.For(kit.Sys).Assertions.Fail("{0}", message);
        return new InvalidOperationException(message);
    }
}
