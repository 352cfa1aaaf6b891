using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Crm.Security;

namespace Crm.Web.Ingestion;

/// <summary>
/// The secrets a source gets: a write key, stored only as its SHA-256 (it is long and random, so a slow hash adds
/// nothing), and a webhook signing secret, stored encrypted (AES-GCM) because checking a signature needs it.
/// The encryption key is shared by the deployment through <see cref="ISecretStore"/>.
/// </summary>
public sealed class SourceSecrets(ISecretStore secrets) : IHostedService
{
    private const string KeyName = "source-signing-secrets-key";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private byte[]? _key;

    public Task StartAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static string NewWriteKey() => "crm_wk_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string NewSigningSecret() => "crm_whsec_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] HashWriteKey(string writeKey) => SHA256.HashData(Encoding.UTF8.GetBytes(writeKey));

    /// <summary>Encrypts a secret this deployment must read again: a signing secret, an import database's connection string.</summary>
    public byte[] Protect(string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedSecret = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedSecret.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key, TagSize);
        aes.Encrypt(nonce, plain, sealedSecret.AsSpan(NonceSize + TagSize), sealedSecret.AsSpan(NonceSize, TagSize));
        return sealedSecret;
    }

    public string Unprotect(byte[] sealedSecret)
    {
        var plain = new byte[sealedSecret.Length - NonceSize - TagSize];
        using var aes = new AesGcm(Key, TagSize);
        aes.Decrypt(sealedSecret.AsSpan(0, NonceSize), sealedSecret.AsSpan(NonceSize + TagSize), sealedSecret.AsSpan(NonceSize, TagSize), plain);
        return Encoding.UTF8.GetString(plain);
    }

    private byte[] Key => _key ?? throw new InvalidOperationException("The key is loaded when the host starts.");

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        _key = await secrets.GetOrCreateAsync(KeyName, () => RandomNumberGenerator.GetBytes(32), cancellationToken);
}
