from salesweb import create_app

app = create_app()
