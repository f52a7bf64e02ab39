"""Sales targets per rep or team for a month, a quarter or a year."""
from peewee import BigIntegerField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model


def up(migrator, db):
    def stub(name):
        class Meta:
            database = db
            table_name = name
        return type(name, (Model,), {"id": IntegerField(primary_key=True), "Meta": Meta})

    User, Team = stub("user"), stub("team")

    class Target(Model):
        user = ForeignKeyField(User, null=True, on_delete="CASCADE")
        team = ForeignKeyField(Team, null=True, on_delete="CASCADE")
        period = CharField(max_length=8)
        starts_on = DateField()
        amount = BigIntegerField()
        set_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "target"
            indexes = ((("user", "period", "starts_on"), True), (("team", "period", "starts_on"), True))

    db.create_tables([Target])
