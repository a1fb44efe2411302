using System.Security.Cryptography;

namespace Drogulus.Core.Items;

/// <summary>
/// An encrypted private key could not be decrypted: the passphrase is wrong or the key text is corrupt
/// (PKCS#8 encryption cannot tell the two apart).
/// </summary>
public sealed class InvalidPassphraseException : CryptographicException
{
    /// <summary>Creates the exception with a standard message.</summary>
    public InvalidPassphraseException()
        : base("The passphrase is wrong or the encrypted private key is corrupt.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public InvalidPassphraseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public InvalidPassphraseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
