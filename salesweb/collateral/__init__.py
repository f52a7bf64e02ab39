"""The collateral library: browse, download and share for everyone signed in; upload and edit for support,
ops and admin (`bp`). The pages a customer opens from a share link need no sign-in (`public`)."""
