from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "innoreform.books"
    label = "books"
