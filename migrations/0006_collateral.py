"""The collateral library: items, tags, versions, share links and downloads."""
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField


def up(migrator, db):
    def stub(name):
        class Meta:
            database = db
            table_name = name
        return type(name, (Model,), {"id": IntegerField(primary_key=True), "Meta": Meta})

    User, Customer, StoredFile = stub("user"), stub("customer"), stub("stored_file")

    class CollateralItem(Model):
        title = CharField(max_length=200)
        description = TextField(default="")
        kind = CharField(max_length=20, default="other")
        language = CharField(max_length=8, default="en")
        archived = BooleanField(default=False)
        version_count = IntegerField(default=0)
        download_count = IntegerField(default=0)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "collateral_item"
            indexes = ((("archived", "updated_at"), False), (("archived", "download_count"), False))

    class CollateralTag(Model):
        item = ForeignKeyField(CollateralItem, on_delete="CASCADE")
        tag = CharField(max_length=60)
        key = CharField(max_length=60, index=True)

        class Meta:
            database = db
            table_name = "collateral_tag"
            indexes = ((("item", "key"), True),)

    class CollateralVersion(Model):
        item = ForeignKeyField(CollateralItem, on_delete="CASCADE")
        number = IntegerField()
        file = ForeignKeyField(StoredFile, on_delete="RESTRICT")
        filename = CharField(max_length=200)
        note = CharField(max_length=500, default="")
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        uploaded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "collateral_version"
            indexes = ((("item", "number"), True),)

    class ShareLink(Model):
        token = CharField(max_length=64, unique=True)
        item = ForeignKeyField(CollateralItem, on_delete="CASCADE")
        version = ForeignKeyField(CollateralVersion, on_delete="CASCADE")
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        expires_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        revoked_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        download_count = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "share_link"
            indexes = ((("item", "created_at"), False), (("customer", "created_at"), False))

    class Download(Model):
        item = ForeignKeyField(CollateralItem, on_delete="CASCADE")
        version = ForeignKeyField(CollateralVersion, on_delete="CASCADE")
        user = ForeignKeyField(User, null=True, on_delete="SET NULL")
        share_link = ForeignKeyField(ShareLink, null=True, on_delete="SET NULL")
        at = DateTimeField()

        class Meta:
            database = db
            table_name = "download"
            indexes = ((("item", "at"), False),)

    db.create_tables([CollateralItem, CollateralTag, CollateralVersion, ShareLink, Download])
