"""letters: signatories' positions and Latin names, the mission's city per language,
amounts claimed on a case, and the letter's own facts and requests paragraphs

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


# Cities of Kazakhstan's missions as letters in Kazakh and Russian write them: an existing
# installation gets its city in both languages (the English one stays in ``city``).
CITIES = {
    "Seoul": ("Сеул", "Сеул"),
    "Busan": ("Пусан", "Пусан"),
    "Ankara": ("Анкара", "Анкара"),
    "Istanbul": ("Ыстамбұл", "Стамбул"),
    "Abu Dhabi": ("Әбу-Даби", "Абу-Даби"),
    "Dubai": ("Дубай", "Дубай"),
    "Moscow": ("Мәскеу", "Москва"),
    "Saint Petersburg": ("Санкт-Петербург", "Санкт-Петербург"),
    "Berlin": ("Берлин", "Берлин"),
    "Frankfurt": ("Франкфурт", "Франкфурт"),
    "London": ("Лондон", "Лондон"),
    "Washington": ("Вашингтон", "Вашингтон"),
    "New York": ("Нью-Йорк", "Нью-Йорк"),
    "Tel Aviv": ("Тель-Авив", "Тель-Авив"),
    "Doha": ("Доха", "Доха"),
    "Bishkek": ("Бішкек", "Бишкек"),
    "Tashkent": ("Ташкент", "Ташкент"),
    "Dushanbe": ("Душанбе", "Душанбе"),
    "Minsk": ("Минск", "Минск"),
    "Astana": ("Астана", "Астана"),
}


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_name_latin', sa.String(200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('position_kk', sa.String(200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('position_ru', sa.String(200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('position_en', sa.String(200), nullable=False, server_default=''))
    with op.batch_alter_table('mission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city_kk', sa.String(120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('city_ru', sa.String(120), nullable=False, server_default=''))
    mission = sa.table('mission', sa.column('city'), sa.column('city_kk'), sa.column('city_ru'))
    for english, (kk, ru) in CITIES.items():
        op.execute(
            mission.update()
            .where(mission.c.city == english, mission.c.city_kk == '')
            .values(city_kk=kk, city_ru=ru)
        )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claims', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('requests', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('options', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): batch mode would rebuild "case", which foreign keys
    # from its events and letters forbid once cases exist.
    for table, columns in (
        ('letter', ('options', 'requests', 'facts')),
        ('case', ('claims',)),
        ('mission', ('city_ru', 'city_kk')),
        ('user', ('position_en', 'position_ru', 'position_kk', 'full_name_latin')),
    ):
        for column in columns:
            op.drop_column(table, column)
