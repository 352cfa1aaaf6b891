using System.Security.Claims;
using Crm.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Crm.Web.Security;

/// <summary>Issues the JWTs users sign in for, and tells the bearer handler how to check them.</summary>
public sealed class AccessTokens(IOptions<AuthOptions> options, SigningKey signingKey, TimeProvider time)
    : IConfigureNamedOptions<JwtBearerOptions>
{
    private readonly JsonWebTokenHandler _handler = new();

    public (string Token, DateTimeOffset ExpiresAt) Issue(UserAccount user)
    {
        var now = time.GetUtcNow();
        var expiresAt = now + options.Value.TokenLifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [CrmClaims.UserId] = user.Id.ToString(),
                [CrmClaims.Name] = user.DisplayName,
                [CrmClaims.Email] = user.Email,
                [CrmClaims.Tenant] = user.TenantId,
                [CrmClaims.Role] = user.Roles.ToArray(),
            },
            SigningCredentials = new SigningCredentials(signingKey.Key, SecurityAlgorithms.HmacSha256),
        });
        return (token, expiresAt);
    }

    public void Configure(string? name, JwtBearerOptions bearer) => Configure(bearer);

    public void Configure(JwtBearerOptions bearer)
    {
        bearer.MapInboundClaims = false;
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = options.Value.Issuer,
            ValidAudience = options.Value.Audience,
            IssuerSigningKeyResolver = (_, _, _, _) => [signingKey.Key],
            NameClaimType = CrmClaims.Name,
            RoleClaimType = CrmClaims.Role,
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        bearer.Events = new JwtBearerEvents
        {
            // Browsers cannot set headers on WebSocket requests; the SignalR client sends the token in the query string.
            OnMessageReceived = context =>
            {
                if (context.Request.Path.StartsWithSegments("/hubs") && context.Request.Query["access_token"] is [{ Length: > 0 } token])
                {
                    context.Token = token;
                }

                return Task.CompletedTask;
            },
            OnTokenValidated = async context =>
            {
                var user = context.Principal!;
                var enabled = Guid.TryParse(user.FindFirstValue(CrmClaims.UserId), out var userId)
                    && user.FindFirstValue(CrmClaims.Tenant) is { } tenantId
                    && await context.HttpContext.RequestServices.GetRequiredService<EnabledAccounts>()
                        .IsEnabledAsync(tenantId, userId, context.HttpContext.RequestAborted);
                if (!enabled)
                {
                    context.Fail("The account is disabled.");
                }
            },
        };
    }
}
