"""salesweb: a self-hosted sales-management web app. The application factory is `salesweb.app.create_app`."""
