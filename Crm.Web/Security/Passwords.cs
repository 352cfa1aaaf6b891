using Crm.Security;
using Microsoft.AspNetCore.Identity;

namespace Crm.Web.Security;

/// <summary>ASP.NET Core Identity's password hasher: PBKDF2 with HMAC-SHA512, a random salt and 100,000 iterations.</summary>
public sealed class Passwords
{
    public const int MinimumLength = 10;

    private readonly PasswordHasher<UserAccount> _hasher = new();
    // Checked when the user does not exist, so that an unknown email takes as long as a wrong password.
    private readonly string _decoy;

    public Passwords() => _decoy = _hasher.HashPassword(null!, Guid.NewGuid().ToString());

    public string Hash(string password) => _hasher.HashPassword(null!, password);

    public bool Verify(UserAccount? user, string password)
    {
        var result = _hasher.VerifyHashedPassword(null!, user?.PasswordHash ?? _decoy, password);
        return user is not null && result != PasswordVerificationResult.Failed;
    }
}
