using System.Security.Cryptography;
using System.Text;
using Crm.Security;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Crm.Web.Security;

/// <summary>The key that signs and verifies access tokens, loaded once at start.</summary>
public sealed class SigningKey(IOptions<AuthOptions> options, ISecretStore secrets) : IHostedService
{
    private const string SecretName = "access-token-signing-key";

    private SymmetricSecurityKey? _key;

    public SymmetricSecurityKey Key => _key ?? throw new InvalidOperationException("The signing key is loaded when the host starts.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value.SigningKey;
        if (configured is not null && Encoding.UTF8.GetByteCount(configured) < 32)
        {
            throw new InvalidOperationException($"{AuthOptions.Section}:SigningKey must be at least 32 characters.");
        }

        var bytes = configured is not null
            ? Encoding.UTF8.GetBytes(configured)
            : await secrets.GetOrCreateAsync(SecretName, () => RandomNumberGenerator.GetBytes(64), cancellationToken);
        _key = new SymmetricSecurityKey(bytes);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
